/* date.h -- calendar dates as day numbers, months, financial years and exact ages.
 *
 * Inside carecast a date is an int day number (days since 1970-01-01, proleptic
 * Gregorian) and a moment is a double day number (12.5 = noon of day 12), so exact ages
 * and durations are plain subtractions. The conversions use the civil-from-days
 * arithmetic (no time zones, no libc state), which keeps them thread-safe and fast
 * enough to call inside the simulation kernel.
 */
#ifndef CC_DATE_H
#define CC_DATE_H

#include <stdbool.h>

/* Public API */

/* Day number of a calendar date; month 1-12, day 1-31 (not validated here). */
int date_from_ymd(int year, int month, int day);

/* Calendar date of a day number. */
void date_to_ymd(int day, int *year, int *month, int *mday);

/* Parses "YYYY-MM-DD" or "DD/MM/YYYY" (the two forms SSDA903 extracts use) into a day
 * number. Returns false if the text is not exactly a valid date in one of the forms. */
bool date_parse(const char *text, int *day);

/* Writes the ISO form "YYYY-MM-DD" of a day number into buf (at least 11 bytes). */
void date_format(int day, char *buf);

/* Day number of the anniversary `years` after `day` (29 February -> 1 March in
 * non-leap years), so ages are exact: a child is 18 from date_add_years(dob, 18). */
int date_add_years(int day, int years);

/* Day number of the first day of the month `months` after the month containing `day`. */
int date_month_start(int day, int months);

/* Day number `months` calendar months after `day`, on the same day of the month (or the
 * month's last day when it is shorter: 31 January + 1 month = 28 or 29 February). */
int date_add_months(int day, int months);

/* Number of days in the month containing `day`. */
int date_days_in_month(int day);

#endif
