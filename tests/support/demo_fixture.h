/* demo_fixture.h -- the demo council as a test fixture: a temporary folder holding the
 * synthetic council of `synth --seed 1` and the model fitted from it as the demo fits it
 * (window 2018-04-01..2025-03-31, extract 2025-03-31, entry trend), and helpers to write
 * and read scenario files there. Shared by test_scenario and test_workforce. */
#ifndef CC_TEST_DEMO_FIXTURE_H
#define CC_TEST_DEMO_FIXTURE_H

#include "model.h"
#include "scenario.h"

typedef struct demo_fixture {
    char dir[256];    /* the temporary folder */
    char fitted[320]; /* DIR/fit.h5 */
    model *model;     /* the fitted model, read back */
    int start;        /* 2025-04-01, the day after the extract */
} demo_fixture;

/* Makes the folder /tmp/carecast-test-TAG-XXXXXX, the council and its fitted model;
 * 0 on success, -1 (with a message on stderr) on failure. */
int demo_fixture_make(demo_fixture *fx, const char *tag);

/* Frees the model and removes the folder; 0 on success. */
int demo_fixture_remove(demo_fixture *fx);

/* Writes `text` to DIR/NAME; returns the path (a ring of 8 static buffers). */
const char *demo_fixture_write(const demo_fixture *fx, const char *name, const char *text);

/* Reads a scenario file against the fitted model, failing the test (with the problems
 * printed) if it does not read. */
scenario *demo_fixture_read_ok(const demo_fixture *fx, const char *path);

#endif
