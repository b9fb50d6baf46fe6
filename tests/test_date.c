/* test_date.c -- day numbers, parsing and calendar arithmetic of engine/date.c.
 *
 * Build and run one program from the repository root:
 *   make carecast build/tests/test_date && build/tests/test_date
 *
 * Where the expected values come from. Every day number below was obtained with GNU
 * date, outside the code under test:
 *     echo $(( $(date -u -d YYYY-MM-DD +%s) / 86400 ))
 * (midnight UTC is an exact multiple of 86400 s, so the integer division is exact also
 * for dates before 1970). Days-in-month figures come from
 *     date -u -d "YYYY-MM-01 +1 month -1 day" +%d
 * and agree with the Gregorian rule (leap year: divisible by 4, except centuries not
 * divisible by 400). The exhaustive checks at the end use that rule, written out in this
 * file (test_is_leap, test_month_length), as an independent oracle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "date.h"

/* A calendar date with its day number from GNU date (see the header comment). */
typedef struct known_day {
    int y, m, d;
    int day;
} known_day;

static const known_day KNOWN[] = {
    {1970, 1, 1, 0},          /* the epoch */
    {1969, 12, 31, -1},       /* the day before */
    {1970, 2, 1, 31},
    {1969, 12, 1, -31},
    {1969, 11, 1, -61},
    {1960, 1, 1, -3653},
    {1968, 2, 29, -672},      /* leap day before 1970 */
    {1899, 12, 31, -25568},
    {1900, 2, 28, -25509},    /* 1900 is not a leap year: 28 Feb is followed by 1 Mar */
    {1900, 3, 1, -25508},
    {1800, 1, 1, -62091},
    {1600, 2, 29, -135081},   /* 1600 is a leap year (divisible by 400) */
    {1600, 3, 1, -135080},
    {1, 1, 1, -719162},
    {2000, 2, 29, 11016},     /* 2000 is a leap year */
    {2024, 1, 1, 19723},
    {2024, 2, 29, 19782},
    {2024, 3, 1, 19783},
    {2025, 3, 1, 20148},
    {2025, 3, 31, 20178},
    {2028, 2, 29, 21243},
    {2100, 2, 28, 47540},     /* 2100 is not a leap year */
    {2100, 3, 1, 47541},
    {9999, 12, 31, 2932896},
};
#define NKNOWN ((int)(sizeof KNOWN / sizeof KNOWN[0]))

/* ---- independent calendar rules (the oracle for the exhaustive checks) ---------------- */

static bool test_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int test_month_length(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && test_is_leap(y) ? 29 : len[m - 1];
}

/* ---- date_from_ymd / date_to_ymd ------------------------------------------------------ */

static void test_from_ymd_known_days(void **state)
{
    (void)state;
    for (int i = 0; i < NKNOWN; i++) {
        int got = date_from_ymd(KNOWN[i].y, KNOWN[i].m, KNOWN[i].d);
        if (got != KNOWN[i].day)
            fail_msg("date_from_ymd(%d, %d, %d) = %d, expected %d", KNOWN[i].y, KNOWN[i].m,
                     KNOWN[i].d, got, KNOWN[i].day);
    }
}

static void test_to_ymd_known_days(void **state)
{
    (void)state;
    for (int i = 0; i < NKNOWN; i++) {
        int y = -99999, m = -99, d = -99;
        date_to_ymd(KNOWN[i].day, &y, &m, &d);
        if (y != KNOWN[i].y || m != KNOWN[i].m || d != KNOWN[i].d)
            fail_msg("date_to_ymd(%d) = %04d-%02d-%02d, expected %04d-%02d-%02d", KNOWN[i].day,
                     y, m, d, KNOWN[i].y, KNOWN[i].m, KNOWN[i].d);
    }
}

/* Walks every day from 1 Jan 1600 to 31 Dec 2400, stepping the calendar by hand with
 * test_month_length, and checks both conversions on each day. */
static void test_round_trip_every_day(void **state)
{
    (void)state;
    int y = 1600, m = 1, d = 1;
    int day = -135140; /* 1600-01-01: $(( $(date -u -d 1600-01-01 +%s) / 86400 )) */
    int checked = 0;
    while (y <= 2400) {
        int from = date_from_ymd(y, m, d);
        if (from != day)
            fail_msg("date_from_ymd(%d, %d, %d) = %d, expected %d", y, m, d, from, day);
        int yy = 0, mm = 0, dd = 0;
        date_to_ymd(day, &yy, &mm, &dd);
        if (yy != y || mm != m || dd != d)
            fail_msg("date_to_ymd(%d) = %04d-%02d-%02d, expected %04d-%02d-%02d", day, yy, mm,
                     dd, y, m, d);
        checked++;
        day++;
        if (++d > test_month_length(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    /* 801 years, 195 of them leap (1600..2400: 201 multiples of 4, minus 1700, 1800, 1900,
     * 2100, 2200, 2300): 801 * 365 + 195 days. */
    assert_int_equal(checked, 801 * 365 + 195);
    /* 2401-01-01: $(( $(date -u -d 2401-01-01 +%s) / 86400 )) */
    assert_int_equal(day, 157420);
}

static void test_format(void **state)
{
    (void)state;
    char buf[32];
    memset(buf, 'x', sizeof buf);
    date_format(19782, buf);
    assert_string_equal(buf, "2024-02-29");
    date_format(0, buf);
    assert_string_equal(buf, "1970-01-01");
    date_format(-25508, buf);
    assert_string_equal(buf, "1900-03-01");
    date_format(-1, buf);
    assert_string_equal(buf, "1969-12-31");
}

/* ---- date_parse ----------------------------------------------------------------------- */

static void test_parse_accepts_both_forms(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int day;
    } good[] = {
        {"2024-02-29", 19782}, {"29/02/2024", 19782}, {"1970-01-01", 0},
        {"01/01/1970", 0},     {"2000-02-29", 11016}, {"29/02/2000", 11016},
        {"1900-03-01", -25508}, {"01/03/1900", -25508}, {"1969-12-31", -1},
        {"31/12/1969", -1},    {"2100-03-01", 47541}, {"2025-03-31", 20178},
        {"31/03/2025", 20178}, {"2024-04-30", 19843}, {"30/04/2024", 19843},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int day = 123456789;
        if (!date_parse(good[i].text, &day))
            fail_msg("date_parse(\"%s\") rejected a valid date", good[i].text);
        if (day != good[i].day)
            fail_msg("date_parse(\"%s\") = %d, expected %d", good[i].text, day, good[i].day);
    }
}

static void test_parse_rejects_bad_text(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2024-02-30",  /* no 30 February */
        "31/04/2024",  /* April has 30 days */
        "29/02/2023",  /* 2023 is not a leap year */
        "1900-02-29",  /* 1900 is not a leap year */
        "2100-02-29",  /* nor is 2100 */
        "2024-1-01",   /* month needs two digits */
        "2024-01-1",   /* day needs two digits */
        "1/01/2024",
        "2024/01/01",  /* slashes only in DD/MM/YYYY */
        "01-01-2024",  /* dashes only in YYYY-MM-DD */
        "",
        "2024-01-01x", /* trailing text */
        "2024-01-01 ",
        " 2024-01-01", /* leading text */
        "2024-00-10",  /* month 0 */
        "2024-13-01",  /* month 13 */
        "2024-01-00",  /* day 0 */
        "2024-01-32",
        "00/01/2024",
        "01/13/2024",
        "2024-0a-01",
        "20x4-01-01",
        "+024-01-01",
        "2024-01",
        "2024",
        "2024-01-01T00:00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int day = 0;
        if (date_parse(bad[i], &day))
            fail_msg("date_parse(\"%s\") accepted a bad date (day %d)", bad[i], day);
    }
}

/* Every valid day of 1999-2001 in both forms parses to the day walked by hand. */
static void test_parse_every_day(void **state)
{
    (void)state;
    int day = 10592; /* 1999-01-01: $(( $(date -u -d 1999-01-01 +%s) / 86400 )) */
    for (int y = 1999; y <= 2001; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= 31; d++) {
                char iso[16], uk[16];
                snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
                snprintf(uk, sizeof uk, "%02d/%02d/%04d", d, m, y);
                int a = 0, b = 0;
                bool ok_iso = date_parse(iso, &a), ok_uk = date_parse(uk, &b);
                bool valid = d <= test_month_length(y, m);
                if (ok_iso != valid || ok_uk != valid)
                    fail_msg("date_parse(\"%s\") = %d, date_parse(\"%s\") = %d, expected %d",
                             iso, ok_iso, uk, ok_uk, valid);
                if (!valid)
                    continue;
                if (a != day || b != day)
                    fail_msg("date_parse(\"%s\") = %d, (\"%s\") = %d, expected %d", iso, a, uk,
                             b, day);
                day++;
            }
    /* 2002-01-01: $(( $(date -u -d 2002-01-01 +%s) / 86400 )) */
    assert_int_equal(day, 11688);
}

/* ---- date_add_years ------------------------------------------------------------------- */

static void test_add_years_leap_day(void **state)
{
    (void)state;
    /* 29 Feb 2024 + 1 year: 2025 has no 29 Feb, so 1 Mar 2025 */
    assert_int_equal(date_add_years(19782, 1), 20148);
    /* + 4 years: 29 Feb 2028 */
    assert_int_equal(date_add_years(19782, 4), 21243);
    /* - 1 year: 1 Mar 2023 (2023-03-01 = 19417) */
    assert_int_equal(date_add_years(19782, -1), 19417);
    /* 29 Feb 2000 + 100 years: 2100 is not a leap year, so 1 Mar 2100 */
    assert_int_equal(date_add_years(11016, 100), 47541);
    /* 29 Feb 1600 + 400 years: 29 Feb 2000 */
    assert_int_equal(date_add_years(-135081, 400), 11016);
    /* + 0 years is the same day */
    assert_int_equal(date_add_years(19782, 0), 19782);
}

static void test_add_years_18th_birthday(void **state)
{
    (void)state;
    /* born 17 May 2006 (13285) -> 18 on 17 May 2024 (19860) */
    assert_int_equal(date_add_years(13285, 18), 19860);
    /* born 28 Feb 2006 (13207) -> 18 on 28 Feb 2024 (2024-02-28 = 19781) */
    assert_int_equal(date_add_years(13207, 18), 19781);
    /* born 29 Feb 1968 (-672) -> 18 on 1 Mar 1986 (5903), not 28 Feb (5902) */
    assert_int_equal(date_add_years(-672, 18), 5903);
    /* born 28 Feb 2009 (14303) -> 18 on 28 Feb 2027 (20877) */
    assert_int_equal(date_add_years(14303, 18), 20877);
    /* born 1 Mar 2009 (14304) -> 18 on 1 Mar 2027 (20878) */
    assert_int_equal(date_add_years(14304, 18), 20878);
    /* born 15 Jun 2023 (19523) -> 18 on 15 Jun 2041 (26098) */
    assert_int_equal(date_add_years(19523, 18), 26098);
    /* born 1 Jan 1960 (-3653) -> 18 on 1 Jan 1978 (2922) */
    assert_int_equal(date_add_years(-3653, 18), 2922);
    /* ten years back from 1 Apr 2025 (20179): 1 Apr 2015 (16526) */
    assert_int_equal(date_add_years(20179, -10), 16526);
}

/* ---- date_month_start ----------------------------------------------------------------- */

static void test_month_start(void **state)
{
    (void)state;
    /* 29 Feb 2024 (19782): this month 1 Feb 2024 (19754), next 1 Mar 2024 (19783) */
    assert_int_equal(date_month_start(19782, 0), 19754);
    assert_int_equal(date_month_start(19782, 1), 19783);
    /* first day of a month stays put with 0 */
    assert_int_equal(date_month_start(19754, 0), 19754);
    /* 15 Dec 2024 (20072) + 1 month: 1 Jan 2025 (20089), a year wrap */
    assert_int_equal(date_month_start(20072, 1), 20089);
    /* 31 Mar 2025 (20178): +9 -> 1 Dec 2025 (20423); +10 -> 1 Jan 2026 (20454) */
    assert_int_equal(date_month_start(20178, 9), 20423);
    assert_int_equal(date_month_start(20178, 10), 20454);
    /* +12 -> 1 Mar 2026 (20513) */
    assert_int_equal(date_month_start(20178, 12), 20513);
    /* negative offsets: 15 Jan 2024 (19737) -1 -> 1 Dec 2023 (19692), -2 -> 1 Nov 2023 */
    assert_int_equal(date_month_start(19737, -1), 19692);
    assert_int_equal(date_month_start(19737, -2), 19662);
    /* 15 Mar 2024 (19797) - 13 months -> 1 Feb 2023 (19389) */
    assert_int_equal(date_month_start(19797, -13), 19389);
    /* 31 Mar 2025 (20178) - 360 months (30 years) -> 1 Mar 1995 (9190) */
    assert_int_equal(date_month_start(20178, -360), 9190);
    /* across 1970: 1 Jan 1970 -1 -> 1 Dec 1969 (-31), -2 -> 1 Nov 1969 (-61);
     * 31 Dec 1969 (-1) +2 -> 1 Feb 1970 (31) */
    assert_int_equal(date_month_start(0, -1), -31);
    assert_int_equal(date_month_start(0, -2), -61);
    assert_int_equal(date_month_start(-1, 2), 31);
    assert_int_equal(date_month_start(-1, 0), -31);
}

/* Month starts over 1900-2100 against the hand-stepped calendar: from the first of each
 * month, +k months lands on the first of the month k later (k = -25..25). */
static void test_month_start_walk(void **state)
{
    (void)state;
    enum { NMONTH = 201 * 12 };
    static int first[NMONTH]; /* day number of the first of each month 1900-01..2100-12 */
    int day = -25567;         /* 1900-01-01: $(( $(date -u -d 1900-01-01 +%s) / 86400 )) */
    for (int i = 0; i < NMONTH; i++) {
        first[i] = day;
        day += test_month_length(1900 + i / 12, i % 12 + 1);
    }
    /* 2101-01-01: $(( $(date -u -d 2101-01-01 +%s) / 86400 )) */
    assert_int_equal(day, 47847);
    for (int i = 0; i < NMONTH; i++)
        for (int k = -25; k <= 25; k++) {
            if (i + k < 0 || i + k >= NMONTH)
                continue;
            int mid = first[i] + 14; /* the 15th of the month */
            int got = date_month_start(mid, k);
            if (got != first[i + k])
                fail_msg("date_month_start(%d, %d) = %d, expected %d", mid, k, got,
                         first[i + k]);
        }
}

/* ---- date_add_months ---------------------------------------------------------------- */

/* Expected day numbers worked by hand from the calendar: 2024-01-31 is day 19753. */
static void test_add_months(void **state)
{
    (void)state;
    int jan31 = date_from_ymd(2024, 1, 31);
    assert_int_equal(jan31, 19753);
    assert_int_equal(date_add_months(jan31, 1), 19753 + 29);     /* 2024-02-29 (leap) */
    assert_int_equal(date_add_months(jan31, 2), 19753 + 60);     /* 2024-03-31 */
    assert_int_equal(date_add_months(jan31, 13), date_from_ymd(2025, 2, 28));
    assert_int_equal(date_add_months(jan31, -2), date_from_ymd(2023, 11, 30));
    assert_int_equal(date_add_months(date_from_ymd(2025, 4, 15), 6), date_from_ymd(2025, 10, 15));
    assert_int_equal(date_add_months(date_from_ymd(2025, 4, 15), 0), date_from_ymd(2025, 4, 15));
}

/* ---- date_days_in_month --------------------------------------------------------------- */

static void test_days_in_month(void **state)
{
    (void)state;
    assert_int_equal(date_days_in_month(19763), 29);  /* 2024-02-10 */
    assert_int_equal(date_days_in_month(19782), 29);  /* 2024-02-29 */
    assert_int_equal(date_days_in_month(19403), 28);  /* 2023-02-15 */
    assert_int_equal(date_days_in_month(-25522), 28); /* 1900-02-15 */
    assert_int_equal(date_days_in_month(11002), 29);  /* 2000-02-15 */
    assert_int_equal(date_days_in_month(47527), 28);  /* 2100-02-15 */
    assert_int_equal(date_days_in_month(19843), 30);  /* 2024-04-30 */
    assert_int_equal(date_days_in_month(19814), 30);  /* 2024-04-01 */
    assert_int_equal(date_days_in_month(20072), 31);  /* 2024-12-15 */
    assert_int_equal(date_days_in_month(-1), 31);     /* 1969-12-31 */
    assert_int_equal(date_days_in_month(0), 31);      /* 1970-01-01 */
    assert_int_equal(date_days_in_month(19662), 30);  /* 2023-11-01 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_ymd_known_days),
        cmocka_unit_test(test_to_ymd_known_days),
        cmocka_unit_test(test_round_trip_every_day),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_parse_accepts_both_forms),
        cmocka_unit_test(test_parse_rejects_bad_text),
        cmocka_unit_test(test_parse_every_day),
        cmocka_unit_test(test_add_years_leap_day),
        cmocka_unit_test(test_add_years_18th_birthday),
        cmocka_unit_test(test_month_start),
        cmocka_unit_test(test_month_start_walk),
        cmocka_unit_test(test_days_in_month),
        cmocka_unit_test(test_add_months),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
