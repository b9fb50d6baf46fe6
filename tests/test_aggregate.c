/* test_aggregate.c -- reading the DfE's published tables (engine/aggregate.c, aggdata_*).
 *
 * Build and run one program from the repository root:
 *   make build/tests/test_aggregate && build/tests/test_aggregate
 * (the real-data test reads CARECAST_HOME/scenarios/dfe; CARECAST_HOME defaults to the
 * current folder when it holds scenarios/dfe.)
 *
 * Where the expected values come from: aggregate.h is the specification. Each test writes
 * a small file of one layout to a temporary folder, so every expected value is a number
 * written in that file (or its absence); the real-data test checks values looked up by
 * hand in the CSV text of scenarios/dfe (the grep that finds each is in a comment).
 * Checks:
 *  1. long format: values under the right geography, measure and year; the ONS mid-year
 *     population of year Y filed under Y+1; an unknown measure skipped with a warning;
 *     aggdata_find ignores case and punctuation and reads "&" as "and";
 *  2. suppression codes x, c, z, u, ":", "..", low and blank left missing and counted per
 *     code; "12a" and "-3" are errors naming file, line and column;
 *  3. "Explore education statistics" files: National rows to E92000001, local authority
 *     rows by old_la_code, regional rows skipped and counted; the labelled CLA layout
 *     (population_count label and `number`); a quoted la_name holding a comma;
 *  4. wide SFR tables: the year from the file name; a column naming another year gives a
 *     warning and the file name's year is used; no year anywhere is an error; National
 *     rows go to England whatever geog_c says; Mid2009Pop0-17 is the 2010 population;
 *  5. a later file's value replaces an earlier one, counted in a->replaced;
 *  6. the shipped copies in scenarios/dfe give the published values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aggregate.h"
#include "problems.h"
#include "support/workdir.h"

#define ENGLAND "E92000001"

static workdir W; /* the source folder and the temporary folder */

/* ---- helpers -------------------------------------------------------------------------- */

/* Writes `text` to TMP/NAME; the path goes to buf. */
static const char *write_tmp(char *buf, size_t size, const char *name, const char *text)
{
    snprintf(buf, size, "%s/%s", W.dir, name);
    FILE *f = fopen(buf, "w");
    if (!f)
        fail_msg("cannot write %s: %s", buf, strerror(errno));
    fputs(text, f);
    fclose(f);
    return buf;
}

/* What problems_print writes, in a heap buffer (to be freed). */
static char *printed(const problems *p)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    problems_print(p, f);
    fclose(f);
    return text;
}

/* Index of a geography that must exist. */
static int geo(const aggdata *a, const char *key)
{
    int g = aggdata_find(a, key);
    if (g < 0)
        fail_msg("geography '%s' not found", key);
    return g;
}

static void check_value(const aggdata *a, const char *key, agg_measure m, int year, double want)
{
    double got = aggdata_get(a, geo(a, key), m, year);
    if (!(got == want))
        fail_msg("%s %s %d = %.10g, expected %.10g", key, aggdata_measure_name(m), year, got, want);
}

static void check_missing(const aggdata *a, const char *key, agg_measure m, int year)
{
    double got = aggdata_get(a, geo(a, key), m, year);
    if (!isnan(got))
        fail_msg("%s %s %d = %.10g, expected missing (NaN)", key, aggdata_measure_name(m), year,
                 got);
}

/* Fails unless `text` contains `needle`. */
static void expect_text(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("\"%s\" not found in:\n%s", needle, text);
}

/* The number of values of measure m held for geography g across all years. */
static int count_values(const aggdata *a, int g, agg_measure m)
{
    int n = 0;
    for (int y = AGG_YEAR0; y < AGG_YEAR0 + AGG_NYEARS; y++)
        n += !isnan(aggdata_get(a, g, m, y));
    return n;
}

/* ---- 1. long format ------------------------------------------------------------------- */

static void test_long_format(void **state)
{
    (void)state;
    char path[4200];
    write_tmp(path, sizeof path, "long.csv",
              "geography,year,measure,value,code,source_file\n"
              "England,2020,cla_at_31_march,80080,E92000001,t.csv\n"
              "\"Bristol, City of\",2020,cla_at_31_march,650,801,t.csv\n"
              "\"Bristol, City of\",2021,cla_at_31_march,660,801,t.csv\n"
              "\"Bristol, City of\",2020,cin_at_31_march,3200,801,t.csv\n"
              "\"Bristol, City of\",2020,cpp_started_in_year,410,801,t.csv\n"
              "\"Bristol, City of\",2019,ons_mye_population_0_17_mid_year,91000,801,t.csv\n"
              "\"Bristol, City of\",2020,foster_carers,123,801,t.csv\n"
              "Brighton & Hove,2020,cla_started_in_year,210,846,t.csv\n"
              "Brighton & Hove,2020,referrals,3000,846,t.csv\n"
              "Brighton & Hove,2020,population_0_17_used_by_dfe,55000,846,t.csv\n");
    aggdata *a = aggdata_alloc();
    problems *p = problems_alloc(20);
    aggdata_read(a, path, p);
    char *text = printed(p);
    if (problems_errors(p) != 0)
        fail_msg("errors reading a valid long file:\n%s", text);
    /* the unknown measure (foster_carers) is skipped with a warning */
    assert_int_equal(problems_warnings(p), 1);
    expect_text(text, "warning");
    assert_int_equal(a->ngeo, 3);

    check_value(a, ENGLAND, AGG_CLA_STOCK, 2020, 80080);
    assert_int_equal(a->geo[geo(a, ENGLAND)].level, AGG_NATIONAL);
    check_value(a, "801", AGG_CLA_STOCK, 2020, 650);
    check_value(a, "801", AGG_CLA_STOCK, 2021, 660);
    check_value(a, "801", AGG_CIN_STOCK, 2020, 3200);
    check_value(a, "801", AGG_CP_STARTED, 2020, 410);
    check_missing(a, "801", AGG_CP_STOCK, 2020);
    check_missing(a, "801", AGG_CLA_STOCK, 2019);
    assert_int_equal(a->geo[geo(a, "801")].level, AGG_LA);
    check_value(a, "846", AGG_CLA_STARTED, 2020, 210);
    check_value(a, "846", AGG_REFERRALS, 2020, 3000);

    /* the mid-year 2019 population is filed under 2020; the DfE's own under its year */
    check_missing(a, "801", AGG_POPULATION, 2019);
    check_value(a, "801", AGG_POPULATION, 2020, 91000);
    check_value(a, "846", AGG_POPULATION, 2020, 55000);
    check_missing(a, "846", AGG_POPULATION, 2019);
    check_missing(a, "846", AGG_POPULATION, 2021);
    assert_int_equal(a->replaced, 0);
    /* 10 data rows, one of an unknown measure: 9 numbers read */
    assert_int_equal(a->values, 9);
    /* foster_carers is stored nowhere */
    int g801 = geo(a, "801");
    int held = 0;
    for (int m = 0; m < AGG_NMEASURES; m++)
        held += count_values(a, g801, (agg_measure)m);
    assert_int_equal(held, 5); /* CLA 2020, 2021, CIN, CP started, population 2020 */

    /* names: case and punctuation ignored, "&" read as "and" */
    assert_int_equal(aggdata_find(a, "bristol city of"), g801);
    assert_int_equal(aggdata_find(a, "BRISTOL, CITY OF"), g801);
    assert_int_equal(aggdata_find(a, "Bristol City-of"), g801);
    assert_int_equal(aggdata_find(a, "Brighton and Hove"), geo(a, "846"));
    assert_int_equal(aggdata_find(a, "brighton & hove"), geo(a, "846"));
    assert_int_equal(aggdata_find(a, "england"), geo(a, ENGLAND));
    assert_int_equal(aggdata_find(a, "Bristol"), -1);
    assert_int_equal(aggdata_find(a, "802"), -1);
    free(text);
    problems_free(p);
    aggdata_free(a);
}

/* Without a code column the geography is its name: two spellings of one council are one
 * geography; the ONS mid-year population for 2019 is the 2020 denominator. */
static void test_long_format_by_name(void **state)
{
    (void)state;
    char path[4200];
    write_tmp(path, sizeof path, "long-names.csv",
              "geography,year,measure,value\n"
              "Barking & Dagenham,2020,cla_at_31_march,400\n"
              "barking and dagenham,2021,cla_at_31_march,420\n"
              "Barking and Dagenham,2019,ons_mye_population_0_17_mid_year,60000\n"
              "ENGLAND,2021,cla_at_31_march,80850\n");
    aggdata *a = aggdata_alloc();
    problems *p = problems_alloc(20);
    aggdata_read(a, path, p);
    assert_int_equal(problems_errors(p), 0);
    assert_int_equal(problems_warnings(p), 0);
    assert_int_equal(a->ngeo, 2);
    check_value(a, "Barking and Dagenham", AGG_CLA_STOCK, 2020, 400);
    check_value(a, "Barking & Dagenham", AGG_CLA_STOCK, 2021, 420);
    check_value(a, "Barking and Dagenham", AGG_POPULATION, 2020, 60000);
    check_missing(a, "Barking and Dagenham", AGG_POPULATION, 2019);
    /* England is England by name too */
    check_value(a, ENGLAND, AGG_CLA_STOCK, 2021, 80850);
    assert_int_equal(a->geo[geo(a, "england")].level, AGG_NATIONAL);
    problems_free(p);
    aggdata_free(a);
}

/* ---- 2. suppression codes and bad values ---------------------------------------------- */

static void test_suppression_codes(void **state)
{
    (void)state;
    char path[4200];
    write_tmp(path, sizeof path, "suppressed.csv",
              "geography,year,measure,value,code\n"   /* line 1 */
              "Alpha,2015,cla_at_31_march,x,901\n"    /* 2 */
              "Alpha,2016,cla_at_31_march,c,901\n"    /* 3 */
              "Alpha,2017,cla_at_31_march,z,901\n"    /* 4 */
              "Alpha,2018,cla_at_31_march,u,901\n"    /* 5 */
              "Alpha,2019,cla_at_31_march,:,901\n"    /* 6 */
              "Alpha,2020,cla_at_31_march,..,901\n"   /* 7 */
              "Alpha,2021,cla_at_31_march,low,901\n"  /* 8 */
              "Alpha,2022,cla_at_31_march,,901\n"     /* 9 */
              "Alpha,2023,cla_at_31_march,x,901\n"    /* 10 */
              "Alpha,2024,cla_at_31_march,57,901\n"); /* 11 */
    aggdata *a = aggdata_alloc();
    problems *p = problems_alloc(20);
    aggdata_read(a, path, p);
    char *text = printed(p);
    if (problems_errors(p) != 0)
        fail_msg("suppression codes read as errors:\n%s", text);
    free(text);
    for (int y = 2015; y <= 2023; y++)
        check_missing(a, "901", AGG_CLA_STOCK, y);
    check_value(a, "901", AGG_CLA_STOCK, 2024, 57);
    assert_int_equal(a->suppressed[AGG_CODE_X], 2);
    assert_int_equal(a->suppressed[AGG_CODE_C], 1);
    assert_int_equal(a->suppressed[AGG_CODE_Z], 1);
    assert_int_equal(a->suppressed[AGG_CODE_U], 1);
    assert_int_equal(a->suppressed[AGG_CODE_COLON], 1);
    assert_int_equal(a->suppressed[AGG_CODE_DOTS], 1);
    assert_int_equal(a->suppressed[AGG_CODE_LOW], 1);
    assert_int_equal(a->suppressed[AGG_CODE_BLANK], 1);
    assert_int_equal(a->values, 1);
    /* the codes' names, as the summary prints them */
    assert_string_equal(aggdata_code_name(AGG_CODE_COLON), ":");
    assert_string_equal(aggdata_code_name(AGG_CODE_DOTS), "..");
    assert_string_equal(aggdata_code_name(AGG_CODE_LOW), "low");
    problems_free(p);
    aggdata_free(a);
}

static void test_bad_values(void **state)
{
    (void)state;
    char path[4200];
    write_tmp(path, sizeof path, "bad-values.csv",
              "geography,year,measure,value,code\n"   /* line 1 */
              "Alpha,2020,cla_at_31_march,40,901\n"   /* 2 */
              "Alpha,2021,cla_at_31_march,12a,901\n"  /* 3: not a number */
              "Alpha,2022,cla_at_31_march,41,901\n"   /* 4 */
              "Alpha,2023,cla_at_31_march,-3,901\n"   /* 5: negative */
              "Alpha,2024,cla_at_31_march,42,901\n"); /* 6 */
    aggdata *a = aggdata_alloc();
    problems *p = problems_alloc(20);
    aggdata_read(a, path, p);
    assert_int_equal(problems_errors(p), 2);
    char *text = printed(p);
    char want[4400];
    /* file and line, the column (value is the 4th), and the value itself */
    snprintf(want, sizeof want, "%s:3:", path);
    expect_text(text, want);
    snprintf(want, sizeof want, "%s:5:", path);
    expect_text(text, want);
    expect_text(text, "column 4");
    expect_text(text, "12a");
    expect_text(text, "-3");
    /* the good rows are read; the bad ones are left missing, not counted as suppressed */
    check_value(a, "901", AGG_CLA_STOCK, 2020, 40);
    check_value(a, "901", AGG_CLA_STOCK, 2022, 41);
    check_value(a, "901", AGG_CLA_STOCK, 2024, 42);
    check_missing(a, "901", AGG_CLA_STOCK, 2021);
    check_missing(a, "901", AGG_CLA_STOCK, 2023);
    long suppressed = 0;
    for (int c = 0; c < AGG_NCODES; c++)
        suppressed += a->suppressed[c];
    assert_int_equal(suppressed, 0);
    free(text);
    problems_free(p);
    aggdata_free(a);
}

/* ---- 3. Explore education statistics files -------------------------------------------- */

#define EES_HEADER                                                                                 \
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"          \
    "region_name,old_la_code,new_la_code,la_name"

static void test_ees_columns(void **state)
{
    (void)state;
    char path[4200];
    write_tmp(path, sizeof path, "b1_test.csv",
              EES_HEADER
              ",category,At31_episodes,CPP_At31\n"
              "2023,Reporting year,National,E92000001,England,,,,,,CIN,403090,50780\n"
              "2023,Reporting year,Regional,E92000001,England,E12000001,North East,,,,CIN,"
              "24470,3180\n"
              "2023,Reporting year,Local authority,E92000001,England,E12000009,South West,801,"
              "E06000023,\"Bristol, City of\",CIN,3410,421\n"
              "2023,Reporting year,Local authority,E92000001,England,E13000001,Inner London,"
              "211,E09000030,Tower Hamlets,CIN,2648,c\n"
              "2022,Reporting year,Local authority,E92000001,England,E13000001,Inner London,"
              "211,E09000030,Tower Hamlets,CIN,2964,263\n");
    aggdata *a = aggdata_alloc();
    problems *p = problems_alloc(20);
    aggdata_read(a, path, p);
    char *text = printed(p);
    if (problems_errors(p) || problems_warnings(p))
        fail_msg("problems reading a valid EES file:\n%s", text);
    free(text);
    assert_int_equal(a->ngeo, 3); /* England and two councils: no region */
    assert_int_equal(a->skipped_regions, 1);
    int eng = geo(a, ENGLAND);
    assert_int_equal(a->geo[eng].level, AGG_NATIONAL);
    check_value(a, ENGLAND, AGG_CIN_STOCK, 2023, 403090);
    check_value(a, ENGLAND, AGG_CP_STOCK, 2023, 50780);
    /* keyed by the old LA code; the quoted name keeps its comma */
    int bristol = geo(a, "801");
    assert_int_equal(a->geo[bristol].level, AGG_LA);
    assert_string_equal(a->geo[bristol].name, "Bristol, City of");
    assert_int_equal(aggdata_find(a, "bristol city of"), bristol);
    check_value(a, "801", AGG_CIN_STOCK, 2023, 3410);
    check_value(a, "801", AGG_CP_STOCK, 2023, 421);
    check_value(a, "211", AGG_CIN_STOCK, 2023, 2648);
    check_missing(a, "211", AGG_CP_STOCK, 2023);
    assert_int_equal(a->suppressed[AGG_CODE_C], 1);
    check_value(a, "211", AGG_CIN_STOCK, 2022, 2964);
    check_value(a, "211", AGG_CP_STOCK, 2022, 263);
    /* nothing of the region's reached England or anyone else */
    assert_int_equal(count_values(a, eng, AGG_CIN_STOCK), 1);
    assert_int_equal(a->values, 7);
    problems_free(p);
    aggdata_free(a);
}

/* The CLA tables: the label in population_count says which measure `number` holds. */
static void test_ees_labels(void **state)
{
    (void)state;
    char path[4200];
    write_tmp(path, sizeof path, "la_cla_test.csv",
              "time_period,time_identifier,geographic_level,country_code,country_name,"
              "region_code,region_name,old_la_code,la_name,new_la_code,population_count,"
              "population_estimate,number,rate_per_10000\n"
              "2024,Reporting year,National,E92000001,England,,,,,,Children looked after at 31 "
              "March each year,11998646,83630,70\n"
              "2024,Reporting year,National,E92000001,England,,,,,,Children starting to be "
              "looked after each year,11998646,33050,28\n"
              "2024,Reporting year,Regional,E92000001,England,E12000001,North East,,,,Children "
              "looked after at 31 March each year,540000,4900,91\n"
              "2024,Reporting year,Local authority,E92000001,England,E13000002,Outer London,301,"
              "Barking and Dagenham,E09000002,Children looked after at 31 March each year,"
              "63000,401,64\n"
              "2024,Reporting year,Local authority,E92000001,England,E13000002,Outer London,301,"
              "Barking and Dagenham,E09000002,Children starting to be looked after each year,"
              "63000,x,x\n"
              "2023,Reporting year,Local authority,E92000001,England,E13000002,Outer London,301,"
              "Barking and Dagenham,E09000002,Children starting to be looked after each year,"
              "63500,212,33\n");
    aggdata *a = aggdata_alloc();
    problems *p = problems_alloc(20);
    aggdata_read(a, path, p);
    char *text = printed(p);
    if (problems_errors(p) || problems_warnings(p))
        fail_msg("problems reading a valid labelled EES file:\n%s", text);
    free(text);
    assert_int_equal(a->ngeo, 2);
    assert_int_equal(a->skipped_regions, 1);
    check_value(a, ENGLAND, AGG_CLA_STOCK, 2024, 83630);
    check_value(a, ENGLAND, AGG_CLA_STARTED, 2024, 33050);
    check_value(a, "301", AGG_CLA_STOCK, 2024, 401);
    check_missing(a, "301", AGG_CLA_STARTED, 2024);
    check_value(a, "301", AGG_CLA_STARTED, 2023, 212);
    assert_int_equal(a->suppressed[AGG_CODE_X], 1);
    assert_string_equal(a->geo[geo(a, "301")].name, "Barking and Dagenham");
    /* the counts are `number`, never the population or the rate */
    assert_int_equal(a->values, 4);
    problems_free(p);
    aggdata_free(a);
}

/* ---- 4. wide SFR tables --------------------------------------------------------------- */

static void test_wide_year_from_file_name(void **state)
{
    (void)state;
    char path[4200];
    /* geog_c of the National row is 921 here and 999 below: both are England */
    write_tmp(path, sizeof path, "2010_SFR27_test_March.csv",
              "geog_l,geog_c,geog_n,MarTotal_2010,Mid2009Pop0-17,MarPlace_Q1_2010\n"
              "National,921,England,64400,11012300,x\n"
              "GOR,A,North East ,3650,524900,0\n"
              "LA,301,Barking & Dagenham,378,48200,x\n");
    aggdata *a = aggdata_alloc();
    problems *p = problems_alloc(20);
    aggdata_read(a, path, p);
    char *text = printed(p);
    if (problems_errors(p) || problems_warnings(p))
        fail_msg("problems reading a valid wide file:\n%s", text);
    free(text);
    assert_int_equal(a->ngeo, 2);
    assert_int_equal(a->skipped_regions, 1);
    check_value(a, ENGLAND, AGG_CLA_STOCK, 2010, 64400);
    check_value(a, "301", AGG_CLA_STOCK, 2010, 378);
    /* the mid-2009 population is the 2010 denominator */
    check_value(a, ENGLAND, AGG_POPULATION, 2010, 11012300);
    check_value(a, "301", AGG_POPULATION, 2010, 48200);
    check_missing(a, "301", AGG_POPULATION, 2009);
    assert_int_equal(a->values, 4); /* MarPlace_Q1_2010 is no measure */

    write_tmp(path, sizeof path, "2016_SFR41_test_CLA2016.csv",
              "New_geog_code,geog_l,geog_c,geog_n,CLA_Mar2016,CLA_2016\n"
              "E92000001,NATIONAL,999,ENGLAND,70440,100810\n"
              "E12000001,REGION,A,NORTH EAST,4400,6310\n"
              "E09000002,LA,301,Barking and Dagenham,410,600\n");
    aggdata_read(a, path, p);
    assert_int_equal(problems_errors(p), 0);
    assert_int_equal(a->ngeo, 2);
    assert_int_equal(a->skipped_regions, 2);
    check_value(a, ENGLAND, AGG_CLA_STOCK, 2016, 70440);
    check_value(a, "301", AGG_CLA_STOCK, 2016, 410);
    check_value(a, "Barking and Dagenham", AGG_CLA_STOCK, 2010, 378);
    /* the name comes from the newest year read */
    assert_string_equal(a->geo[geo(a, "301")].name, "Barking and Dagenham");
    problems_free(p);
    aggdata_free(a);
}

/* The DfE's 2015 starts table heads its column CLA_started2014: read as 2015, warned. */
static void test_wide_year_mismatch(void **state)
{
    (void)state;
    char path[4200];
    write_tmp(path, sizeof path, "2015_SFR34_ADM2015.csv",
              "New_geog_code,geog_l,geog_c,geog_n,CLA_started2014,CLA_taken2014\n"
              "E92000001,NATIONAL,999,ENGLAND,31070,10790\n"
              "E09000002,LA,301,Barking and Dagenham,268,103\n");
    aggdata *a = aggdata_alloc();
    problems *p = problems_alloc(20);
    aggdata_read(a, path, p);
    char *text = printed(p);
    assert_int_equal(problems_errors(p), 0);
    assert_int_equal(problems_warnings(p), 1);
    expect_text(text, "CLA_started2014");
    expect_text(text, "2015_SFR34_ADM2015.csv");
    free(text);
    check_value(a, ENGLAND, AGG_CLA_STARTED, 2015, 31070);
    check_value(a, "301", AGG_CLA_STARTED, 2015, 268);
    check_missing(a, "301", AGG_CLA_STARTED, 2014);
    problems_free(p);
    aggdata_free(a);
}

/* A file name without a year: a dated column carries its own; CLA_cease has none (error). */
static void test_wide_no_year(void **state)
{
    (void)state;
    char path[4200];
    write_tmp(path, sizeof path, "cla_ceased_table.csv",
              "geog_l,geog_c,geog_n,CLA_Mar2016,CLA_cease\n"
              "National,999,England,70440,31710\n"
              "LA,301,Barking and Dagenham,410,250\n");
    aggdata *a = aggdata_alloc();
    problems *p = problems_alloc(20);
    aggdata_read(a, path, p);
    char *text = printed(p);
    assert_true(problems_errors(p) >= 1);
    expect_text(text, "CLA_cease");
    expect_text(text, "cla_ceased_table.csv");
    free(text);
    check_value(a, "301", AGG_CLA_STOCK, 2016, 410);
    /* the undated column is stored under no year */
    assert_int_equal(count_values(a, geo(a, "301"), AGG_CLA_CEASED), 0);
    assert_int_equal(count_values(a, geo(a, ENGLAND), AGG_CLA_CEASED), 0);
    problems_free(p);
    aggdata_free(a);

    /* with the year in the file name the same column is read */
    write_tmp(path, sizeof path, "2016_cla_ceased_table.csv",
              "geog_l,geog_c,geog_n,CLA_cease\n"
              "National,999,England,31710\n"
              "LA,301,Barking and Dagenham,250\n");
    a = aggdata_alloc();
    p = problems_alloc(20);
    aggdata_read(a, path, p);
    assert_int_equal(problems_errors(p), 0);
    check_value(a, "301", AGG_CLA_CEASED, 2016, 250);
    check_value(a, ENGLAND, AGG_CLA_CEASED, 2016, 31710);
    problems_free(p);
    aggdata_free(a);
}

/* ---- 5. a later file replaces an earlier one ------------------------------------------ */

static void test_later_file_replaces(void **state)
{
    (void)state;
    char first[4200], second[4200];
    write_tmp(first, sizeof first, "vintage1.csv",
              "geography,year,measure,value,code\n"
              "Alpha,2020,cla_at_31_march,100,901\n"
              "Alpha,2021,cla_at_31_march,110,901\n");
    write_tmp(second, sizeof second, "vintage2.csv",
              "geography,year,measure,value,code\n"
              "Alpha,2021,cla_at_31_march,115,901\n"
              "Alpha,2022,cla_at_31_march,120,901\n");
    aggdata *a = aggdata_alloc();
    problems *p = problems_alloc(20);
    aggdata_read(a, first, p);
    assert_int_equal(a->replaced, 0);
    aggdata_read(a, second, p);
    assert_int_equal(problems_errors(p), 0);
    check_value(a, "901", AGG_CLA_STOCK, 2020, 100);
    check_value(a, "901", AGG_CLA_STOCK, 2021, 115);
    check_value(a, "901", AGG_CLA_STOCK, 2022, 120);
    assert_int_equal(a->replaced, 1);
    assert_int_equal(a->values, 4);
    /* provenance: the files in the order read */
    assert_int_equal(a->nfiles, 2);
    assert_string_equal(a->files[0], first);
    assert_string_equal(a->files[1], second);
    /* the summary says how many were replaced */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    aggdata_summary(a, f);
    fclose(f);
    expect_text(text, "1 replaced");
    free(text);
    problems_free(p);
    aggdata_free(a);
}

/* A council met first by name alone and then with its code (or a padded code) is one
 * geography, whichever file comes first. */
static void test_name_then_code(void **state)
{
    (void)state;
    char first[4200], second[4200];
    write_tmp(first, sizeof first, "by_name.csv",
              "geography,year,measure,value\n"
              "Hartlepool,2019,cla_at_31_march,200\n");
    write_tmp(second, sizeof second, "by_code.csv",
              "geography,code,year,measure,value\n"
              "Hartlepool,805,2018,cla_started_in_year,101\n"
              "Hartlepool,\" 805\",2020,cla_at_31_march,210\n");
    aggdata *a = aggdata_alloc();
    problems *p = problems_alloc(20);
    aggdata_read(a, first, p);
    aggdata_read(a, second, p);
    assert_int_equal(problems_errors(p), 0);
    assert_int_equal(a->ngeo, 1);
    check_value(a, "805", AGG_CLA_STOCK, 2019, 200);
    check_value(a, "805", AGG_CLA_STOCK, 2020, 210);
    check_value(a, "805", AGG_CLA_STARTED, 2018, 101);
    problems_free(p);
    aggdata_free(a);
}

/* ---- 6. the shipped copies of the published tables ------------------------------------ */

static int cmp_name(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static void test_real_files(void **state)
{
    (void)state;
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/scenarios/dfe", W.home);
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s: %s", dir, strerror(errno));
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) {
        size_t len = strlen(e->d_name);
        if (len > 4 && !strcmp(e->d_name + len - 4, ".csv"))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_name);
    assert_true(n >= 20);
    aggdata *a = aggdata_alloc();
    problems *p = problems_alloc(50);
    for (int i = 0; i < n; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        aggdata_read(a, path, p);
        free(names[i]);
    }
    char *text = printed(p);
    if (problems_errors(p) != 0)
        fail_msg("errors reading scenarios/dfe:\n%s", text);
    /* 2015_SFR34_ADM2015.csv heads its column CLA_started2014 */
    expect_text(text, "CLA_started2014");
    free(text);
    assert_true(a->skipped_regions > 0);

    /* la_cla_number_and_rate_per_10k_children_2019_2024.csv, line 3:
     * 2024,...,National,...,Children looked after at 31 March each year,11998646,83630,70 */
    check_value(a, ENGLAND, AGG_CLA_STOCK, 2024, 83630);
    assert_int_equal(aggdata_find(a, "England"), geo(a, ENGLAND));
    /* 2017_SFR50_CLA2017.csv, line 27: 116,E09000002,LA,301,Barking and Dagenham,409,... */
    check_value(a, "301", AGG_CLA_STOCK, 2017, 409);
    assert_int_equal(aggdata_find(a, "Barking & Dagenham"), geo(a, "301"));
    /* 2010_SFR27_2010_March.csv, line 25: LA,301,Barking & Dagenham,378,48200,...
     * (MarTotal_2010, Mid2009Pop0-17) */
    check_value(a, "301", AGG_CLA_STOCK, 2010, 378);
    check_value(a, "301", AGG_POPULATION, 2010, 48200);
    /* 2015_SFR34_ADM2015.csv, line 27: ...,301,Barking and Dagenham,268,... (under 2015);
     * 2014_SFR36_ADM2014.csv, line 27: ...,301,Barking and Dagenham,310,... */
    check_value(a, "301", AGG_CLA_STARTED, 2015, 268);
    check_value(a, "301", AGG_CLA_STARTED, 2014, 310);
    /* b1_children_in_need_2013_to_2025.csv, line 310: 2024,...,211,E09000030,Tower Hamlets,
     * Children in Need,5342,4972,3138,2985,2434,2346,2908,89 (Started_episodes 3138,
     * At31_episodes 2908); line 474 (2023): At31_episodes 2648 */
    check_value(a, "211", AGG_CIN_STOCK, 2024, 2908);
    check_value(a, "211", AGG_CIN_STARTED, 2024, 3138);
    check_value(a, "211", AGG_CIN_STOCK, 2023, 2648);
    /* d5_cpps_at31march_by_duration_2013_to_2025.csv, line 310: ...Tower Hamlets,...,305 */
    check_value(a, "211", AGG_CP_STOCK, 2024, 305);
    /* d3_cpps_subsequent_plan_2013_to_2025.csv, line 310: ...Tower Hamlets,...,405,115,28.4 */
    check_value(a, "211", AGG_CP_STARTED, 2024, 405);
    /* la_cla_number_and_rate..., line 438: 2024,...,211,Tower Hamlets,...,Children looked
     * after at 31 March each year,63147,277,44 */
    check_value(a, "211", AGG_CLA_STOCK, 2024, 277);
    /* ons_mid-year_population_estimates_0to17_2012_to_2024.csv, line 310: 2023,...,Tower
     * Hamlets,Children aged 0 to 17 years,63462: mid-2023, the 2024 denominator */
    check_value(a, "211", AGG_POPULATION, 2024, 63462);
    /* la_cla_started_2018_long.csv, line 3: Hartlepool,805,2018,cla_started_in_year,101 */
    check_value(a, "805", AGG_CLA_STARTED, 2018, 101);
    check_value(a, "Hartlepool", AGG_CLA_STARTED, 2018, 101);
    /* no stock of 2018 was published in these files */
    check_missing(a, "301", AGG_CLA_STOCK, 2018);
    problems_free(p);
    aggdata_free(a);
}

/* ---- setup ---------------------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    return workdir_make(&W, "aggregate", false);
}

static int teardown(void **state)
{
    (void)state;
    return workdir_remove(&W);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_format),
        cmocka_unit_test(test_long_format_by_name),
        cmocka_unit_test(test_suppression_codes),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_ees_columns),
        cmocka_unit_test(test_ees_labels),
        cmocka_unit_test(test_wide_year_from_file_name),
        cmocka_unit_test(test_wide_year_mismatch),
        cmocka_unit_test(test_wide_no_year),
        cmocka_unit_test(test_later_file_replaces),
        cmocka_unit_test(test_name_then_code),
        cmocka_unit_test(test_real_files),
    };
    return cmocka_run_group_tests_name("published aggregates", tests, setup, teardown);
}
