/*
 * hs_write.c: the writers every byte of a head or a body goes through:
 * bytes, line ends, header names and decimal numerals (contracts in
 * hs_write.h).
 */
#include "hs_write.h"

/* Lemmas of the writers' proofs (spec 7.3). */
/*@
    // Every wire name has 1 to 18 bytes, none of them 0, and a 0 after them,
    // so hs_put_name's scan for the 0 finds the name's length.
    lemma known_name_ends:
      \forall integer id; 0 <= id < HttpHeaderResponseMaximum ==>
        1 <= known_name_length(id) <= 18 && known_name_byte(id, known_name_length(id)) == 0;
    lemma known_name_nonzero:
      \forall integer id, j; 0 <= id < HttpHeaderResponseMaximum && 0 <= j < known_name_length(id) ==>
        known_name_byte(id, j) != 0;

    // A copy of a decimal numeral is that numeral where it was copied to.
    lemma decimal_copied{L1, L2}:
      \forall hs_byte *buf, integer at, hs_byte *d, integer v;
        decimal{L2}(d, v) ==> copied{L1, L2}(buf, at, d, 0, decimal_length(v)) ==>
        decimal_at{L1}(buf, at, v);
*/

size_t hs_put(hs_byte *buf, size_t room, size_t need, const hs_byte *src, size_t n)
{
    if (buf != NULL && need <= room && n <= room - need) {
        /*@ loop invariant 0 <= i <= n;
            loop invariant \forall integer q; need <= q < need + i ==> buf[q] == \at(src[q - need], Pre);
            loop invariant same_bytes{Here, Pre}(src, 0, n);
            loop invariant appended{Pre, Here}(buf, room, need, need + n);
            loop assigns i, buf[need .. need + n - 1];
            loop variant n - i;
        */
        for (size_t i = 0; i < n; i++)
            buf[need + i] = src[i];
    }
    /* Saturates instead of wrapping; real heads stay far below 2^31 bytes. */
    return (n > SIZE_MAX - need) ? SIZE_MAX : need + n;
}

/* The names of known response headers 0..29 (HTTP_HEADER_ID), each in a
 * NUL-padded row. */
#define HS_NAME_ROW 20
static const hs_byte hs_names[HttpHeaderResponseMaximum][HS_NAME_ROW] = { HS_KNOWN_HEADER_NAMES };

/* One byte, from a local. */
size_t hs_put_byte(hs_byte *buf, size_t room, size_t need, hs_byte c)
{
    hs_byte one[1];
    one[0] = c;
    return hs_put(buf, room, need, one, sizeof one);
}

/* A line end. Its two bytes come from a local array, whose contents the
 * proof knows at once; a global literal read after an earlier write to buf
 * would need the proof to show that the write left it alone. */
size_t hs_put_crlf(hs_byte *buf, size_t room, size_t need)
{
    const hs_byte crlf[2] = { '\r', '\n' };
    return hs_put(buf, room, need, crlf, sizeof crlf);
}

/* Byte k of the name of header id. Reading the table here, in a function
 * with no pointer parameter, keeps it apart from every caller's memory
 * without any hypothesis. */
/*@ requires 0 <= id < HttpHeaderResponseMaximum && 0 <= k < HS_NAME_ROW;
    terminates \true;
    assigns \nothing;
    ensures as_spelled: \result == known_name_byte(id, k);
*/
static hs_byte hs_name_at(int id, size_t k)
{
    /* Row by row: each goal then has one row of the table to compare. */
    //@ assert row_0: id == 0 ==> hs_names[0][k] == name_Cache_Control(k);
    //@ assert row_1: id == 1 ==> hs_names[1][k] == name_Connection(k);
    //@ assert row_2: id == 2 ==> hs_names[2][k] == name_Date(k);
    //@ assert row_3: id == 3 ==> hs_names[3][k] == name_Keep_Alive(k);
    //@ assert row_4: id == 4 ==> hs_names[4][k] == name_Pragma(k);
    //@ assert row_5: id == 5 ==> hs_names[5][k] == name_Trailer(k);
    //@ assert row_6: id == 6 ==> hs_names[6][k] == name_Transfer_Encoding(k);
    //@ assert row_7: id == 7 ==> hs_names[7][k] == name_Upgrade(k);
    //@ assert row_8: id == 8 ==> hs_names[8][k] == name_Via(k);
    //@ assert row_9: id == 9 ==> hs_names[9][k] == name_Warning(k);
    //@ assert row_10: id == 10 ==> hs_names[10][k] == name_Allow(k);
    //@ assert row_11: id == 11 ==> hs_names[11][k] == name_Content_Length(k);
    //@ assert row_12: id == 12 ==> hs_names[12][k] == name_Content_Type(k);
    //@ assert row_13: id == 13 ==> hs_names[13][k] == name_Content_Encoding(k);
    //@ assert row_14: id == 14 ==> hs_names[14][k] == name_Content_Language(k);
    //@ assert row_15: id == 15 ==> hs_names[15][k] == name_Content_Location(k);
    //@ assert row_16: id == 16 ==> hs_names[16][k] == name_Content_MD5(k);
    //@ assert row_17: id == 17 ==> hs_names[17][k] == name_Content_Range(k);
    //@ assert row_18: id == 18 ==> hs_names[18][k] == name_Expires(k);
    //@ assert row_19: id == 19 ==> hs_names[19][k] == name_Last_Modified(k);
    //@ assert row_20: id == 20 ==> hs_names[20][k] == name_Accept_Ranges(k);
    //@ assert row_21: id == 21 ==> hs_names[21][k] == name_Age(k);
    //@ assert row_22: id == 22 ==> hs_names[22][k] == name_ETag(k);
    //@ assert row_23: id == 23 ==> hs_names[23][k] == name_Location(k);
    //@ assert row_24: id == 24 ==> hs_names[24][k] == name_Proxy_Authenticate(k);
    //@ assert row_25: id == 25 ==> hs_names[25][k] == name_Retry_After(k);
    //@ assert row_26: id == 26 ==> hs_names[26][k] == name_Server(k);
    //@ assert row_27: id == 27 ==> hs_names[27][k] == name_Set_Cookie(k);
    //@ assert row_28: id == 28 ==> hs_names[28][k] == name_Vary(k);
    //@ assert row_29: id == 29 ==> hs_names[29][k] == name_WWW_Authenticate(k);
    return hs_names[id][k];
}

size_t hs_put_name(hs_byte *buf, size_t room, size_t need, int id)
{
    hs_byte row[HS_NAME_ROW];   /* a local copy cannot overlap the output */
    size_t n = 0;
    /*@ loop invariant 0 <= n <= known_name_length(id);
        loop invariant \forall integer j; 0 <= j < n ==> row[j] == known_name_byte(id, j);
        loop assigns n, row[0 .. HS_NAME_ROW - 1];
        loop variant HS_NAME_ROW - n;
    */
    while (n < HS_NAME_ROW) {
        hs_byte b = hs_name_at(id, n);
        if (b == 0u)
            break;
        row[n] = b;
        n++;
    }
    //@ assert whole: n == known_name_length(id);
    //@ assert spelled: known_name_at(&row[0], 0, id);
    return hs_put(buf, room, need, row, n);
}

/* 10^k. The table is local: a global array of 64-bit words would share
 * WP's memory of 64-bit values with every caller's counts and weigh on
 * their proofs. */
/*@ requires k < 20;
    terminates \true;
    assigns \nothing;
    ensures \result == pow10(k);
*/
static uint64_t hs_pow10_at(size_t k)
{
    const uint64_t p10[20] = {
        1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u,
        1000000000u, 10000000000u, 100000000000u, 1000000000000u, 10000000000000u,
        100000000000000u, 1000000000000000u, 10000000000000000u, 100000000000000000u,
        1000000000000000000u, 10000000000000000000u,
    };
    return p10[k];
}

/* The decimal numeral of v in d, most significant digit first; returns its
 * length. First the length (the smallest n with v < 10^n), then each digit. */
/*@ requires \valid(d + (0 .. 19));
    terminates \true;
    assigns d[0 .. 19];
    ensures length: \result == decimal_length(v) && 1 <= \result <= 20;
    ensures digits: decimal(d, v);
*/
static size_t hs_decimal(uint64_t v, hs_byte *d)
{
    size_t n = 1;
    /*@ loop invariant 1 <= n <= 20;
        loop invariant \forall integer k; 1 <= k < n ==> v >= pow10(k);
        loop assigns n;
        loop variant 20 - n;
    */
    while (n < 20u && v >= hs_pow10_at(n))
        n++;
    //@ assert n == decimal_length(v);
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer j; 0 <= j < i ==> d[j] == decimal_digit(v, j);
        loop assigns i, d[0 .. 19];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        d[i] = (hs_byte)('0' + (int)(v / hs_pow10_at(n - 1u - i) % 10u));
    return n;
}

/* The decimal numeral of v. Its digits are made in a local array here, so
 * that a caller sees no write but to buf. */
size_t hs_put_decimal(hs_byte *buf, size_t room, size_t need, uint64_t v)
{
    hs_byte digits[20];
    size_t nd = hs_decimal(v, digits);
    return hs_put(buf, room, need, digits, nd);
}
