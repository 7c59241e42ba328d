/*
 * sdk.h: the Windows headers the adapter needs, plus the few SDK definitions
 * that mingw-w64's http.h lacks (values from the Windows SDK's http.h).
 */
#ifndef SDK_H
#define SDK_H

#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0601
#endif
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <http.h>
#include <string.h>

#ifndef HTTP_SEND_RESPONSE_FLAG_ENABLE_NAGLING
#define HTTP_SEND_RESPONSE_FLAG_ENABLE_NAGLING 0x00000008
#endif
#ifndef HTTP_SEND_RESPONSE_FLAG_PROCESS_RANGES
#define HTTP_SEND_RESPONSE_FLAG_PROCESS_RANGES 0x00000020
#endif
#ifndef HTTP_SEND_RESPONSE_FLAG_OPAQUE
#define HTTP_SEND_RESPONSE_FLAG_OPAQUE 0x00000040
#endif
/* printf-style argument checks where the compiler has them. */
#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

#ifndef ERROR_CONNECTION_INVALID
#define ERROR_CONNECTION_INVALID 1229
#endif

/* The SDK's HTTP_DATA_CHUNK has a FromFragmentCacheEx member that mingw-w64
 * leaves out: a byte range, then the NUL-terminated name. It starts where
 * FromFileHandle does (the start of the union) and is no larger. */
typedef struct {
    HTTP_BYTE_RANGE ByteRange;
    PCWSTR pFragmentName;
} SDK_FROM_FRAGMENT_CACHE_EX;

static inline void sdk_fragex_set(HTTP_DATA_CHUNK *k, const SDK_FROM_FRAGMENT_CACHE_EX *v)
{
    memcpy(&k->FromFileHandle, v, sizeof *v);
}

static inline PCWSTR sdk_fragex_name(const HTTP_DATA_CHUNK *k)
{
    SDK_FROM_FRAGMENT_CACHE_EX v;
    memcpy(&v, &k->FromFileHandle, sizeof v);
    return v.pFragmentName;
}

_Static_assert(sizeof(SDK_FROM_FRAGMENT_CACHE_EX) <= sizeof(((HTTP_DATA_CHUNK *)0)->FromFileHandle),
               "FromFragmentCacheEx must fit HTTP_DATA_CHUNK's union");

#endif
