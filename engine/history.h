/* history.h -- a council's records read into one clean list of episodes.
 *
 * The readers behind `fit` and `check`. Three inputs, formats in README.md:
 *   - the canonical episodes CSV (REF, CIN, CP, CLA and CL episodes, one row each);
 *   - SSDA903 header and episodes CSVs for several years (a folder per year, files named
 *     like 2019-episodes.csv, or single files with a YEAR column; dates dd/mm/YYYY or
 *     ISO), cleaned with the rules councils' demand models use (README "SSDA903");
 *   - a population CSV (children by single year of age and calendar year), optional.
 * Every problem goes to a problems list naming file, line, column, the value and what
 * was expected. history_finish() then joins, cleans and checks the whole history:
 * duplicates, overlaps, moves on the same day, ages, open episodes, the extract date.
 * When both the canonical file and SSDA903 are given for the same children, the
 * SSDA903 looked-after episodes take precedence and the canonical ones are cut around
 * them, so a child is counted at the highest level of intervention.
 */
#ifndef CC_HISTORY_H
#define CC_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "problems.h"

typedef struct history_raw history_raw; /* rows as read, before history_finish() */

typedef struct history {
    const modeldef *def;
    /* after history_finish(): */
    int64_t nepisodes;
    model_episode *episodes; /* sorted by child, then start; child = 0..nchildren-1 */
    int64_t nchildren;
    int extract_date;  /* last day the records cover */
    int history_start; /* first day from which every open episode is recorded */
    int first_day;     /* earliest date in the records */
    bool has_canonical, has_ssda903;
    /* the population, if read */
    int pop_year0, pop_nyears;
    double *population; /* [pop_nyears][MODEL_POP_AGES] */
    int nfiles;         /* files read */
    history_raw *raw;
} history;

/* Public API */

/* An empty history over a model definition (borrowed). NULL when out of memory. */
history *history_alloc(const modeldef *def);

/* Frees a history (NULL allowed). */
void history_free(history *h);

/* Reads a canonical episodes CSV. Problems go to `p`; returns CC_OK or CC_ENOMEM. */
int history_read_episodes(history *h, const char *path, problems *p);

/* Reads SSDA903 files: a folder (searched one level deep for files whose names contain
 * "header" or "episodes"), or one header or episodes file. */
int history_read_ssda903(history *h, const char *path, problems *p);

/* Reads a population CSV (year,age,children). */
int history_read_population(history *h, const char *path, problems *p);

/* Reads any input, telling its kind from the header row (a folder is read as SSDA903).
 * Used by `check`, which takes files of every kind on one command line. */
int history_read_any(history *h, const char *path, problems *p);

/* Joins, cleans and checks everything read. `extract_date` is the last day the records
 * cover, or INT32_MIN for the default: the 31 March on or after the latest date in
 * SSDA903 returns (which run to 31 March), or the latest canonical date if later; the
 * latest date in the records without SSDA903. */
int history_finish(history *h, int extract_date, problems *p);

/* Hands the episodes to a model (which takes them over) with the extract date and
 * history start, and the population if one was read. */
int history_to_model(history *h, model *m);

#endif
