/*
 * response_info.h: the reference's rendering of HTTP_RESPONSE_V2 response
 * info (protocol 1.1 multi_known, spec RESP-INFO-MULTIPLE-KNOWN). The model
 * reads only the V1 fields; these header lines are added to the head it
 * renders.
 */
#ifndef RESPONSE_INFO_H
#define RESPONSE_INFO_H

#include <stddef.h>
#include "control.h"

/* Bytes of the lines "Name: value\r\n", one per value of every entry, in
 * order; with buf (room for that many) they are written there too. The ids
 * were checked when the CALL was parsed (control.c). */
size_t info_render(const struct ctl_multi_known *m, size_t n, hs_byte *buf);

/* Puts the lines of info_render into the head of head_len bytes at buf
 * (room for head_len + extra), before the empty line that ends it; returns
 * the new head length. */
size_t info_insert(const struct ctl_multi_known *m, size_t n, hs_byte *buf, size_t head_len,
                   size_t extra);

#endif
