/* date.c -- day-number arithmetic for the proleptic Gregorian calendar.
 *
 * The conversion works in eras of 400 years (146,097 days) counted from 1 March, so that
 * the leap day is the last day of the shifted year and needs no special case. */
#include "date.h"

#include <stdio.h>
#include <string.h>

int date_from_ymd(int year, int month, int day)
{
    int y = month <= 2 ? year - 1 : year;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;                         /* [0, 399] */
    int mp = (month + 9) % 12;                       /* March = 0 */
    int doy = (153 * mp + 2) / 5 + day - 1;          /* [0, 365] */
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void date_to_ymd(int z, int *year, int *month, int *mday)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp < 10 ? mp + 3 : mp - 9;
    *year = yoe + era * 400 + (m <= 2);
    *month = m;
    *mday = d;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_length(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Reads exactly `n` digits at s; returns -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool date_parse(const char *text, int *day)
{
    int y, m, d;
    size_t len = strlen(text);
    if (len == 10 && text[4] == '-' && text[7] == '-') {
        y = digits(text, 4);
        m = digits(text + 5, 2);
        d = digits(text + 8, 2);
    } else if (len == 10 && text[2] == '/' && text[5] == '/') {
        d = digits(text, 2);
        m = digits(text + 3, 2);
        y = digits(text + 6, 4);
    } else {
        return false;
    }
    if (y < 1800 || m < 1 || m > 12 || d < 1 || d > month_length(y, m))
        return false;
    *day = date_from_ymd(y, m, d);
    return true;
}

void date_format(int day, char *buf)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    snprintf(buf, 11, "%04d-%02d-%02d", y, m, d);
}

int date_add_years(int day, int years)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    y += years;
    if (m == 2 && d == 29 && !is_leap(y)) {
        m = 3;
        d = 1;
    }
    return date_from_ymd(y, m, d);
}

int date_month_start(int day, int months)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    int idx = y * 12 + (m - 1) + months;
    int ny = idx >= 0 ? idx / 12 : -((-idx + 11) / 12);
    return date_from_ymd(ny, idx - ny * 12 + 1, 1);
}

int date_add_months(int day, int months)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    int first = date_month_start(day, months);
    int ny, nm, nd;
    date_to_ymd(first, &ny, &nm, &nd);
    int len = month_length(ny, nm);
    return date_from_ymd(ny, nm, d < len ? d : len);
}

int date_days_in_month(int day)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    return month_length(y, m);
}
