/* layer.c -- financial years of a run and the month-to-year roll-up (see layer.h). */
#include "layer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

int layer_financial_year(int day)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    return m >= 4 ? y : y - 1;
}

layer_years *layer_years_alloc(const int *month_start, int M)
{
    layer_years *y = calloc(1, sizeof *y);
    if (!y)
        return NULL;
    y->M = M;
    y->year = calloc((size_t)M, sizeof *y->year);
    y->months = calloc((size_t)M, sizeof *y->months);
    y->first = calloc((size_t)M, sizeof *y->first);
    y->label = calloc((size_t)M, sizeof *y->label);
    if (!y->year || !y->months || !y->first || !y->label) {
        layer_years_free(y);
        return NULL;
    }
    int fy0 = layer_financial_year(month_start[0]);
    for (int m = 0; m < M; m++) {
        int fy = layer_financial_year(month_start[m]);
        int k = fy - fy0;
        y->year[m] = k;
        if (k + 1 > y->Y) {
            y->Y = k + 1;
            y->first[k] = fy;
            snprintf(y->label[k], 8, "%d-%02d", fy, (fy + 1) % 100);
        }
        y->months[k]++;
    }
    return y;
}

void layer_years_free(layer_years *y)
{
    if (!y)
        return;
    free(y->year);
    free(y->months);
    free(y->first);
    free(y->label);
    free(y);
}

void layer_rollup(const layer_years *y, const layer_measure *measures, int G, int K,
                  const double *month, double *year)
{
    memset(year, 0, sizeof *year * (size_t)y->Y * G * K);
    for (int m = 0; m < y->M; m++) {
        int k = y->year[m];
        const double *in = month + (size_t)m * G * K;
        double *out = year + (size_t)k * G * K;
        for (int g = 0; g < G; g++)
            for (int j = 0; j < K; j++)
                out[g * K + j] += measures[j].flow ? in[g * K + j] : in[g * K + j] / y->months[k];
    }
}
