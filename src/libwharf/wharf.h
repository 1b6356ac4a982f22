/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wharf.h: everything libwharf offers, in one include. */

#pragma once

#include "wharf-client.h"
#include "wharf-credential.h"
#include "wharf-delete.h"
#include "wharf-digest.h"
#include "wharf-endpoint.h"
#include "wharf-error.h"
#include "wharf-image.h"
#include "wharf-reference.h"
#include "wharf-transfer.h"
