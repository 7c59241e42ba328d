/*
 * hs_header_names.h: the wire names of the known response headers 0..29
 * (WIRE-KNOWN-HEADER; spec 01, section 1.4) in logic, one function per name,
 * byte j of the name and 0 past its end. WP has no string constants in
 * logic, so each name is spelled byte by byte; the proof of the renderer's
 * name table (hs_name_at) shows that the C table, built from
 * HS_KNOWN_HEADER_NAMES, holds exactly these names.
 */
#ifndef HS_HEADER_NAMES_H
#define HS_HEADER_NAMES_H

#include "hs_sdk.h"

/*@
  // 0: Cache-Control
  logic integer name_Cache_Control(integer j) = j == 0 ? 'C' : j == 1 ? 'a' : j == 2 ? 'c' :
      j == 3 ? 'h' : j == 4 ? 'e' : j == 5 ? '-' : j == 6 ? 'C' : j == 7 ? 'o' : j == 8 ? 'n' :
      j == 9 ? 't' : j == 10 ? 'r' : j == 11 ? 'o' : j == 12 ? 'l' : 0;
  // 1: Connection
  logic integer name_Connection(integer j) = j == 0 ? 'C' : j == 1 ? 'o' : j == 2 ? 'n' :
      j == 3 ? 'n' : j == 4 ? 'e' : j == 5 ? 'c' : j == 6 ? 't' : j == 7 ? 'i' : j == 8 ? 'o' :
      j == 9 ? 'n' : 0;
  // 2: Date
  logic integer name_Date(integer j) = j == 0 ? 'D' : j == 1 ? 'a' : j == 2 ? 't' : j == 3 ? 'e' :
      0;
  // 3: Keep-Alive
  logic integer name_Keep_Alive(integer j) = j == 0 ? 'K' : j == 1 ? 'e' : j == 2 ? 'e' :
      j == 3 ? 'p' : j == 4 ? '-' : j == 5 ? 'A' : j == 6 ? 'l' : j == 7 ? 'i' : j == 8 ? 'v' :
      j == 9 ? 'e' : 0;
  // 4: Pragma
  logic integer name_Pragma(integer j) = j == 0 ? 'P' : j == 1 ? 'r' : j == 2 ? 'a' : j == 3 ? 'g' :
      j == 4 ? 'm' : j == 5 ? 'a' : 0;
  // 5: Trailer
  logic integer name_Trailer(integer j) = j == 0 ? 'T' : j == 1 ? 'r' : j == 2 ? 'a' :
      j == 3 ? 'i' : j == 4 ? 'l' : j == 5 ? 'e' : j == 6 ? 'r' : 0;
  // 6: Transfer-Encoding
  logic integer name_Transfer_Encoding(integer j) = j == 0 ? 'T' : j == 1 ? 'r' : j == 2 ? 'a' :
      j == 3 ? 'n' : j == 4 ? 's' : j == 5 ? 'f' : j == 6 ? 'e' : j == 7 ? 'r' : j == 8 ? '-' :
      j == 9 ? 'E' : j == 10 ? 'n' : j == 11 ? 'c' : j == 12 ? 'o' : j == 13 ? 'd' : j == 14 ? 'i' :
      j == 15 ? 'n' : j == 16 ? 'g' : 0;
  // 7: Upgrade
  logic integer name_Upgrade(integer j) = j == 0 ? 'U' : j == 1 ? 'p' : j == 2 ? 'g' :
      j == 3 ? 'r' : j == 4 ? 'a' : j == 5 ? 'd' : j == 6 ? 'e' : 0;
  // 8: Via
  logic integer name_Via(integer j) = j == 0 ? 'V' : j == 1 ? 'i' : j == 2 ? 'a' : 0;
  // 9: Warning
  logic integer name_Warning(integer j) = j == 0 ? 'W' : j == 1 ? 'a' : j == 2 ? 'r' :
      j == 3 ? 'n' : j == 4 ? 'i' : j == 5 ? 'n' : j == 6 ? 'g' : 0;
  // 10: Allow
  logic integer name_Allow(integer j) = j == 0 ? 'A' : j == 1 ? 'l' : j == 2 ? 'l' : j == 3 ? 'o' :
      j == 4 ? 'w' : 0;
  // 11: Content-Length
  logic integer name_Content_Length(integer j) = j == 0 ? 'C' : j == 1 ? 'o' : j == 2 ? 'n' :
      j == 3 ? 't' : j == 4 ? 'e' : j == 5 ? 'n' : j == 6 ? 't' : j == 7 ? '-' : j == 8 ? 'L' :
      j == 9 ? 'e' : j == 10 ? 'n' : j == 11 ? 'g' : j == 12 ? 't' : j == 13 ? 'h' : 0;
  // 12: Content-Type
  logic integer name_Content_Type(integer j) = j == 0 ? 'C' : j == 1 ? 'o' : j == 2 ? 'n' :
      j == 3 ? 't' : j == 4 ? 'e' : j == 5 ? 'n' : j == 6 ? 't' : j == 7 ? '-' : j == 8 ? 'T' :
      j == 9 ? 'y' : j == 10 ? 'p' : j == 11 ? 'e' : 0;
  // 13: Content-Encoding
  logic integer name_Content_Encoding(integer j) = j == 0 ? 'C' : j == 1 ? 'o' : j == 2 ? 'n' :
      j == 3 ? 't' : j == 4 ? 'e' : j == 5 ? 'n' : j == 6 ? 't' : j == 7 ? '-' : j == 8 ? 'E' :
      j == 9 ? 'n' : j == 10 ? 'c' : j == 11 ? 'o' : j == 12 ? 'd' : j == 13 ? 'i' : j == 14 ? 'n' :
      j == 15 ? 'g' : 0;
  // 14: Content-Language
  logic integer name_Content_Language(integer j) = j == 0 ? 'C' : j == 1 ? 'o' : j == 2 ? 'n' :
      j == 3 ? 't' : j == 4 ? 'e' : j == 5 ? 'n' : j == 6 ? 't' : j == 7 ? '-' : j == 8 ? 'L' :
      j == 9 ? 'a' : j == 10 ? 'n' : j == 11 ? 'g' : j == 12 ? 'u' : j == 13 ? 'a' : j == 14 ? 'g' :
      j == 15 ? 'e' : 0;
  // 15: Content-Location
  logic integer name_Content_Location(integer j) = j == 0 ? 'C' : j == 1 ? 'o' : j == 2 ? 'n' :
      j == 3 ? 't' : j == 4 ? 'e' : j == 5 ? 'n' : j == 6 ? 't' : j == 7 ? '-' : j == 8 ? 'L' :
      j == 9 ? 'o' : j == 10 ? 'c' : j == 11 ? 'a' : j == 12 ? 't' : j == 13 ? 'i' : j == 14 ? 'o' :
      j == 15 ? 'n' : 0;
  // 16: Content-MD5
  logic integer name_Content_MD5(integer j) = j == 0 ? 'C' : j == 1 ? 'o' : j == 2 ? 'n' :
      j == 3 ? 't' : j == 4 ? 'e' : j == 5 ? 'n' : j == 6 ? 't' : j == 7 ? '-' : j == 8 ? 'M' :
      j == 9 ? 'D' : j == 10 ? '5' : 0;
  // 17: Content-Range
  logic integer name_Content_Range(integer j) = j == 0 ? 'C' : j == 1 ? 'o' : j == 2 ? 'n' :
      j == 3 ? 't' : j == 4 ? 'e' : j == 5 ? 'n' : j == 6 ? 't' : j == 7 ? '-' : j == 8 ? 'R' :
      j == 9 ? 'a' : j == 10 ? 'n' : j == 11 ? 'g' : j == 12 ? 'e' : 0;
  // 18: Expires
  logic integer name_Expires(integer j) = j == 0 ? 'E' : j == 1 ? 'x' : j == 2 ? 'p' :
      j == 3 ? 'i' : j == 4 ? 'r' : j == 5 ? 'e' : j == 6 ? 's' : 0;
  // 19: Last-Modified
  logic integer name_Last_Modified(integer j) = j == 0 ? 'L' : j == 1 ? 'a' : j == 2 ? 's' :
      j == 3 ? 't' : j == 4 ? '-' : j == 5 ? 'M' : j == 6 ? 'o' : j == 7 ? 'd' : j == 8 ? 'i' :
      j == 9 ? 'f' : j == 10 ? 'i' : j == 11 ? 'e' : j == 12 ? 'd' : 0;
  // 20: Accept-Ranges
  logic integer name_Accept_Ranges(integer j) = j == 0 ? 'A' : j == 1 ? 'c' : j == 2 ? 'c' :
      j == 3 ? 'e' : j == 4 ? 'p' : j == 5 ? 't' : j == 6 ? '-' : j == 7 ? 'R' : j == 8 ? 'a' :
      j == 9 ? 'n' : j == 10 ? 'g' : j == 11 ? 'e' : j == 12 ? 's' : 0;
  // 21: Age
  logic integer name_Age(integer j) = j == 0 ? 'A' : j == 1 ? 'g' : j == 2 ? 'e' : 0;
  // 22: ETag
  logic integer name_ETag(integer j) = j == 0 ? 'E' : j == 1 ? 'T' : j == 2 ? 'a' : j == 3 ? 'g' :
      0;
  // 23: Location
  logic integer name_Location(integer j) = j == 0 ? 'L' : j == 1 ? 'o' : j == 2 ? 'c' :
      j == 3 ? 'a' : j == 4 ? 't' : j == 5 ? 'i' : j == 6 ? 'o' : j == 7 ? 'n' : 0;
  // 24: Proxy-Authenticate
  logic integer name_Proxy_Authenticate(integer j) = j == 0 ? 'P' : j == 1 ? 'r' : j == 2 ? 'o' :
      j == 3 ? 'x' : j == 4 ? 'y' : j == 5 ? '-' : j == 6 ? 'A' : j == 7 ? 'u' : j == 8 ? 't' :
      j == 9 ? 'h' : j == 10 ? 'e' : j == 11 ? 'n' : j == 12 ? 't' : j == 13 ? 'i' : j == 14 ? 'c' :
      j == 15 ? 'a' : j == 16 ? 't' : j == 17 ? 'e' : 0;
  // 25: Retry-After
  logic integer name_Retry_After(integer j) = j == 0 ? 'R' : j == 1 ? 'e' : j == 2 ? 't' :
      j == 3 ? 'r' : j == 4 ? 'y' : j == 5 ? '-' : j == 6 ? 'A' : j == 7 ? 'f' : j == 8 ? 't' :
      j == 9 ? 'e' : j == 10 ? 'r' : 0;
  // 26: Server
  logic integer name_Server(integer j) = j == 0 ? 'S' : j == 1 ? 'e' : j == 2 ? 'r' : j == 3 ? 'v' :
      j == 4 ? 'e' : j == 5 ? 'r' : 0;
  // 27: Set-Cookie
  logic integer name_Set_Cookie(integer j) = j == 0 ? 'S' : j == 1 ? 'e' : j == 2 ? 't' :
      j == 3 ? '-' : j == 4 ? 'C' : j == 5 ? 'o' : j == 6 ? 'o' : j == 7 ? 'k' : j == 8 ? 'i' :
      j == 9 ? 'e' : 0;
  // 28: Vary
  logic integer name_Vary(integer j) = j == 0 ? 'V' : j == 1 ? 'a' : j == 2 ? 'r' : j == 3 ? 'y' :
      0;
  // 29: WWW-Authenticate
  logic integer name_WWW_Authenticate(integer j) = j == 0 ? 'W' : j == 1 ? 'W' : j == 2 ? 'W' :
      j == 3 ? '-' : j == 4 ? 'A' : j == 5 ? 'u' : j == 6 ? 't' : j == 7 ? 'h' : j == 8 ? 'e' :
      j == 9 ? 'n' : j == 10 ? 't' : j == 11 ? 'i' : j == 12 ? 'c' : j == 13 ? 'a' : j == 14 ? 't' :
      j == 15 ? 'e' : 0;

  // Byte j of the name of header id, and 0 past its end.
  logic integer known_name_byte(integer id, integer j) =
      id == 0  ? name_Cache_Control(j) :
      id == 1  ? name_Connection(j) :
      id == 2  ? name_Date(j) :
      id == 3  ? name_Keep_Alive(j) :
      id == 4  ? name_Pragma(j) :
      id == 5  ? name_Trailer(j) :
      id == 6  ? name_Transfer_Encoding(j) :
      id == 7  ? name_Upgrade(j) :
      id == 8  ? name_Via(j) :
      id == 9  ? name_Warning(j) :
      id == 10 ? name_Allow(j) :
      id == 11 ? name_Content_Length(j) :
      id == 12 ? name_Content_Type(j) :
      id == 13 ? name_Content_Encoding(j) :
      id == 14 ? name_Content_Language(j) :
      id == 15 ? name_Content_Location(j) :
      id == 16 ? name_Content_MD5(j) :
      id == 17 ? name_Content_Range(j) :
      id == 18 ? name_Expires(j) :
      id == 19 ? name_Last_Modified(j) :
      id == 20 ? name_Accept_Ranges(j) :
      id == 21 ? name_Age(j) :
      id == 22 ? name_ETag(j) :
      id == 23 ? name_Location(j) :
      id == 24 ? name_Proxy_Authenticate(j) :
      id == 25 ? name_Retry_After(j) :
      id == 26 ? name_Server(j) :
      id == 27 ? name_Set_Cookie(j) :
      id == 28 ? name_Vary(j) :
      name_WWW_Authenticate(j);

  // How many bytes the name of header id has.
  logic integer known_name_length(integer id) =
      id == 0  ? 13 :   // Cache-Control
      id == 1  ? 10 :   // Connection
      id == 2  ?  4 :   // Date
      id == 3  ? 10 :   // Keep-Alive
      id == 4  ?  6 :   // Pragma
      id == 5  ?  7 :   // Trailer
      id == 6  ? 17 :   // Transfer-Encoding
      id == 7  ?  7 :   // Upgrade
      id == 8  ?  3 :   // Via
      id == 9  ?  7 :   // Warning
      id == 10 ?  5 :   // Allow
      id == 11 ? 14 :   // Content-Length
      id == 12 ? 12 :   // Content-Type
      id == 13 ? 16 :   // Content-Encoding
      id == 14 ? 16 :   // Content-Language
      id == 15 ? 16 :   // Content-Location
      id == 16 ? 11 :   // Content-MD5
      id == 17 ? 13 :   // Content-Range
      id == 18 ?  7 :   // Expires
      id == 19 ? 13 :   // Last-Modified
      id == 20 ? 13 :   // Accept-Ranges
      id == 21 ?  3 :   // Age
      id == 22 ?  4 :   // ETag
      id == 23 ?  8 :   // Location
      id == 24 ? 18 :   // Proxy-Authenticate
      id == 25 ? 11 :   // Retry-After
      id == 26 ?  6 :   // Server
      id == 27 ? 10 :   // Set-Cookie
      id == 28 ?  4 :   // Vary
      16;           // WWW-Authenticate
*/

#endif
