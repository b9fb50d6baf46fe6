# compare.gp -- carecast comparison of projected scenarios (gnuplot 5.4)
#
# WHAT IT DRAWS
#   One chart with several projected series for one cohort (e.g. the
#   looked-after children under the scenarios "baseline", "early-help" and
#   "edge-of-care"), or their differences from the baseline:
#     * for each series, a translucent band from P5 to P95 (the 90%
#       interval) in the series colour, all bands first, then
#     * for each series, the median (P50) as a solid line in the same
#       colour, on top of every band,
#     * optionally the observed monthly history as a solid near-black line,
#     * a thin dashed vertical line where the projection starts (the last
#       history date, or the first projected date when there is no
#       history), labelled "projection starts",
#     * dates along the x axis (years; months such as "Jul 2025" for spans
#       of 4 years or less), a light grid, a title and a smaller subtitle,
#       and a key underneath the plot (never on top of the data) in two
#       columns: one row per series ("NAME: median", "NAME: P5–P95 (90%
#       interval)"), with "Observed (month-end count)" under the medians
#       when history is drawn.  The bottom margin grows with the number of
#       rows, so many series make the plot itself shorter.
#   Colours are the colour-blind safe Okabe-Ito palette, in this order:
#   blue #0072B2, vermillion #D55E00, green #009E73, purple #CC79A7,
#   orange #E69F00, sky blue #56B4E9, black #000000, yellow #F0E442;
#   series 9 onwards reuse them from the start.  (Series 7, black, looks
#   much like the observed line, and series 8, yellow, is faint on white:
#   keep to 6 series where possible.)
#   y axis, counts (zero=0, the default): from 0, as in fan.gp: a "nice"
#   step (1, 2 or 5 x 10^k, never below 1, exactly 1 when the top is 12 or
#   less) and at least 10% headroom above the highest P95 (or observed
#   value).  Values below 0 are cut off.
#   y axis, differences (zero=1): from below the lowest P5 to above the
#   highest P95 (and observed value), always including 0 (so a range
#   entirely below 0 runs up to a little above 0), with about 10% of that
#   span as padding at both ends, rounded out to whole steps; the step is
#   1, 2 or 5 x 10^k (about 5 to 12 tics), never below 0.1, and is
#   fractional (0.1, 0.2, 0.5) for small spans, when the labels show one
#   decimal ("-0.5", "0.0", "1.5").  All-zero data gives -0.5 to 0.5.  A
#   solid grey line is drawn at y = 0, over the bands and under the
#   medians.
#   Labels on the y axis have thousands separators and a leading "-" for
#   negative numbers ("-1,200", "-5", "0", "12,500").
#   When the history ends the month before a series starts, and zero=0,
#   that series' band and median are joined to the last observed point, as
#   in fan.gp.  With zero=1 there is no join (the series are differences,
#   not counts).  The "mean", "p10", "p25", "p75" and "p90" columns must be
#   present but are not drawn.
#
# INPUTS (CSV, comma separated, exactly one header line, which is skipped)
#   each of files  date,mean,p5,p10,p25,p50,p75,p90,p95
#              one row per projected month; date is the ISO month-end date
#              (YYYY-MM-DD); values may be fractional or negative.
#              Each file must hold at least one data row.  The series need
#              not cover the same months.
#   histfile   date,value
#              observed month-end counts before the projection starts.  May
#              hold only the header line (no history): the chart is then
#              drawn without the observed line and without warnings.
#
# VARIABLES (pass with  gnuplot -e "name='value'; ..." plots/compare.gp)
#   files      required  projection CSV paths, one per series, separated by
#                        spaces (so a path must not contain white space)
#   names      required  series names in the same order, separated by
#                        spaces; as many names as files
#   outfile    required  path of the image to write
#   histfile   optional  path of the history CSV; undefined or '' = none
#   term       optional  'png' (default), 'svg' or 'pdf'
#   title      optional  main title (default: none)
#   subtitle   optional  smaller second line under the title (default: none)
#   ylabel     optional  y axis label (default: 'children')
#   zero       optional  0 (default): counts, y from 0;
#                        1: differences, y range from the data, line at 0
#   All text is drawn literally (no enhanced-text markup), so characters
#   such as _ ^ { } @ & ~ in titles, labels and names are safe.
#
# EXAMPLE
#   gnuplot -e "files='out/baseline/CLA.csv out/edge-of-care/CLA.csv'; \
#               names='baseline edge-of-care'; \
#               histfile='out/baseline/CLA_history.csv'; \
#               outfile='out/CLA_compare.png'; term='png'; \
#               title='Looked-after children (CLA)'; \
#               subtitle='median and P5–P95 (90% interval)'; \
#               ylabel='children (count at month end)'" plots/compare.gp
#
# Exit status is 1 (with a "compare.gp: ..." message on stderr, and no
# image written) when files, names or outfile is not set, files is empty,
# the numbers of files and names differ, term is unknown or a file holds
# no data rows (or cannot be read).  A histfile that is missing or zero
# bytes long is drawn as "no history", but gnuplot warns about it on stderr.

reset
set encoding utf8

# ---------------------------------------------------------------------------
# Variables and defaults
# ---------------------------------------------------------------------------
if (!exists("files"))    { print "compare.gp: variable 'files' is not set";   exit status 1 }
if (!exists("names"))    { print "compare.gp: variable 'names' is not set";   exit status 1 }
if (!exists("outfile"))  { print "compare.gp: variable 'outfile' is not set"; exit status 1 }
if (!exists("histfile")) { histfile = "" }
if (!exists("term"))     { term = "png" }
if (!exists("title"))    { title = "" }
if (!exists("subtitle")) { subtitle = "" }
if (!exists("ylabel"))   { ylabel = "children" }
if (!exists("zero"))     { zero = 0 }
zero = (zero != 0)            # accept 0/1 (numbers or '0'/'1' strings)

nser = words(files)
if (nser < 1) { print "compare.gp: no files given ('files' is empty)"; exit status 1 }
if (words(names) != nser) {
    print sprintf("compare.gp: %d file(s) in 'files' but %d name(s) in 'names'", nser, words(names))
    exit status 1
}

DATEFMT = "%Y-%m-%d"          # ISO month-end dates in column 1
DAY     = 86400.0             # seconds; gnuplot times are seconds since 1970
set datafile separator comma

# Colours: Okabe-Ito for the series, near-black for observations.
PALETTE  = "#0072B2 #D55E00 #009E73 #CC79A7 #E69F00 #56B4E9 #000000 #F0E442"
col(i)   = word(PALETTE, (i - 1) % words(PALETTE) + 1)
ALPHA    = 0.20               # opacity of the P5-P95 bands
C_OBS    = "#1a1a1a"          # observed history line
C_ZERO   = "#808080"          # y = 0 line (zero=1)
C_START  = "#4d4d4d"          # "projection starts" line and label
C_GRID   = "#d9d9d9"
C_BORDER = "#555555"

# ---------------------------------------------------------------------------
# Terminal
# ---------------------------------------------------------------------------
if (term eq "png") {
    set terminal pngcairo size 1200,700 font "sans,11" linewidth 1.0 noenhanced
} else {
    if (term eq "svg") {
        set terminal svg size 1200,700 dynamic font "sans,11" linewidth 1.0 noenhanced
    } else {
        if (term eq "pdf") {
            set terminal pdfcairo size 10in,6in font "sans,10" linewidth 1.5 noenhanced
        } else {
            print sprintf("compare.gp: unknown term '%s' (use png, svg or pdf)", term)
            exit status 1
        }
    }
}

# ---------------------------------------------------------------------------
# Read the extent of the data (before anything is plotted).
# "stats ... using 0" counts lines, the header included, and never warns,
# even for a header-only file, so it is used to test for empty files.
# (A zero-byte or unreadable file makes stats warn and leave STATS_records
# undefined, hence undefine and the exists() tests.)
# ---------------------------------------------------------------------------
array T0[nser]                # first projected month end of each series
array P5_0[nser]              # first-row P5, P50, P95 (for the join)
array P50_0[nser]
array P95_0[nser]
do for [i = 1:nser] {
    f = word(files, i)
    undefine STATS_records
    stats f using 0 nooutput
    nrows = exists("STATS_records") ? STATS_records - 1 : 0
    if (nrows < 1) {
        print sprintf("compare.gp: no data rows in '%s' (series '%s')", f, word(names, i))
        exit status 1
    }
    stats f using (timecolumn(1, DATEFMT)) skip 1 nooutput
    T0[i] = STATS_min
    t_first = (i == 1 || STATS_min < t_first) ? STATS_min : t_first
    t_last  = (i == 1 || STATS_max > t_last)  ? STATS_max : t_last
    stats f using 3 skip 1 nooutput       # p5 is the bottom of a band
    ymin = (i == 1 || STATS_min < ymin) ? STATS_min : ymin
    stats f using 9 skip 1 nooutput       # p95 is the top of a band
    ymax = (i == 1 || STATS_max > ymax) ? STATS_max : ymax
    stats f using 3 skip 1 every ::0::0 nooutput
    P5_0[i] = STATS_min
    stats f using 6 skip 1 every ::0::0 nooutput
    P50_0[i] = STATS_min
    stats f using 9 skip 1 every ::0::0 nooutput
    P95_0[i] = STATS_min
}

nhist = 0
if (histfile ne "") {
    undefine STATS_records
    stats histfile using 0 nooutput
    nhist = exists("STATS_records") ? STATS_records - 1 : 0
}
if (nhist > 0) {
    stats histfile using (timecolumn(1, DATEFMT)) skip 1 nooutput
    h_first = STATS_min
    h_last  = STATS_max
    stats histfile using 2 skip 1 nooutput
    ymax = (STATS_max > ymax) ? STATS_max : ymax
    ymin = (STATS_min < ymin) ? STATS_min : ymin
    # value observed on the last history date (the jump-off count)
    stats histfile using (timecolumn(1, DATEFMT) == h_last ? $2 : NaN) skip 1 nooutput
    h_lastval = STATS_max
}

# ---------------------------------------------------------------------------
# Projection start, x range
# ---------------------------------------------------------------------------
if (nhist > 0) {
    t_start = h_last                      # last observed month end
    x_lo = (h_first < t_first) ? h_first : t_first
} else {
    t_start = t_first                     # first projected month end
    x_lo = t_first
}
x_hi = t_last
span = x_hi - x_lo
if (span < 90 * DAY) { span = 90 * DAY; x_hi = x_lo + span }
# With no history before it, the start line would sit on the left border:
# pad the left end a little so it stays visible.
if (t_start - x_lo < 0.02 * span) { x_lo = t_start - 0.02 * span }
set xrange [x_lo:x_hi]

# Join a series to the last observation when the history runs up to the
# month before that series starts (gap of at most ~one month); counts only.
# $JOIN holds one two-row block per joined series; JOIN[i] is the block's
# index, or -1 for no join.
array JOIN[nser]
njoin = 0
set print $JOIN
do for [i = 1:nser] {
    JOIN[i] = -1
    if (!zero && nhist > 0 && T0[i] > h_last && T0[i] - h_last <= 32 * DAY) {
        JOIN[i] = njoin
        njoin = njoin + 1
        print sprintf("%.0f,%.10g,%.10g,%.10g", h_last, h_lastval, h_lastval, h_lastval)
        print sprintf("%.0f,%.10g,%.10g,%.10g", T0[i], P5_0[i], P50_0[i], P95_0[i])
        print ""
        print ""
    }
}
unset print

# ---------------------------------------------------------------------------
# x tics: explicit, so that they sit on real calendar boundaries (a time
# axis counted in seconds drifts with month lengths and leap years):
#   span over 4 years     labels "2025" at 1 January (every 2nd or 5th year
#                         beyond 16 / 32 years), minor tics each quarter
#   span 2 to 4 years     labels "Jan 2025", "Jul 2025", minor tics quarterly
#   span 9 months-2 years labels "Jan 2025", "Apr 2025", ... minor tics monthly
#   span under 9 months   labels every month
# ---------------------------------------------------------------------------
year(t)   = int(strftime("%Y", t))
ymd(y, m) = strptime(DATEFMT, sprintf("%04d-%02d-01", y, m))
set xtics out nomirror scale 1,0.5 textcolor rgb "#333333"
set xtics ()
yrs = span / (365.25 * DAY)
y0 = year(x_lo)
y1 = year(x_hi) + 1
if (yrs > 4) {
    xstep = (yrs <= 16) ? 1 : ((yrs <= 32) ? 2 : 5)
    do for [y = y0:y1] {
        if (y % xstep == 0) {
            set xtics add (sprintf("%d", y) ymd(y, 1))
        } else {
            set xtics add ("" ymd(y, 1) 1)
        }
        if (yrs <= 16) {
            do for [m = 4:10:3] { set xtics add ("" ymd(y, m) 1) }
        }
    }
} else {
    mstep = (yrs > 2) ? 6 : ((yrs > 0.75) ? 3 : 1)   # months between labels
    mminor = (yrs > 2) ? 3 : 1            # months between minor tics
    do for [y = y0:y1] {
        do for [m = 1:12] {
            if ((m - 1) % mstep == 0) {
                set xtics add (strftime("%b %Y", ymd(y, m)) ymd(y, m))
            } else {
                if ((m - 1) % mminor == 0) { set xtics add ("" ymd(y, m) 1) }
            }
        }
    }
}

# ---------------------------------------------------------------------------
# y axis.  Tic values are whole multiples k * ystep, labelled by label(v),
# which adds thousands separators by hand ("%'d" depends on the locale),
# a "-" for negative values and one decimal when ystep is fractional.
#   zero=0: from 0, a "nice" step (1, 2 or 5 x 10^k; never below 1 because
#     these are counts of children, and exactly 1 when the top is 12 or
#     less) and at least 10% headroom above the highest value, so the
#     "projection starts" label never touches the data (as in fan.gp).
#   zero=1: the range from the lowest to the highest value, widened to
#     include 0 and padded by 10% of its span at both ends, then rounded
#     out to a nice step (span / 10 rounded up to 1, 2 or 5 x 10^k, at
#     least 0.1).
# ---------------------------------------------------------------------------
commas(n) = (n < 1000) ? sprintf("%d", n) : commas(int(n / 1000)) . sprintf(",%03d", int(n) % 1000)
nice(x)   = (x / 10 ** floor(log10(x)) <= 1) ? 10 ** floor(log10(x)) : \
            ((x / 10 ** floor(log10(x)) <= 2) ? 2 * 10 ** floor(log10(x)) : \
            ((x / 10 ** floor(log10(x)) <= 5) ? 5 * 10 ** floor(log10(x)) : 10 * 10 ** floor(log10(x))))
# label(v): v rounded to ydec decimals (0 or 1), e.g. -1,200 / -0.5 / 12,500
tenths(v) = int(floor(abs(v) * 10 + 0.5))
units(v)  = int(floor(abs(v) + 0.5))
label(v)  = (ydec == 0) ? \
    (((units(v) == 0) ? "" : ((v < 0) ? "-" : "")) . commas(units(v))) : \
    (((tenths(v) == 0) ? "" : ((v < 0) ? "-" : "")) . commas(tenths(v) / 10) . sprintf(".%d", tenths(v) % 10))

if (!zero) {
    raw   = (ymax > 0) ? ymax * 1.1 / 6 : 1
    ystep = nice(raw)
    ystep = (ystep < 1 || ymax * 1.1 <= 12) ? 1 : ystep  # small cohorts: every count
    ytop  = ceil(ymax * 1.1 / ystep) * ystep
    ytop  = (ytop < 5 * ystep) ? 5 * ystep : ytop        # e.g. 0-5 for tiny counts
    k_lo  = 0
    k_hi  = int(ytop / ystep + 0.5)
} else {
    lo    = (ymin < 0) ? ymin : 0
    hi    = (ymax > 0) ? ymax : 0
    dspan = (hi - lo > 0) ? hi - lo : 5          # all zeros: -0.5 to 0.5
    lo    = lo - 0.1 * dspan
    hi    = hi + 0.1 * dspan
    ystep = nice((hi - lo) / 10)
    ystep = (ystep < 0.1) ? 0.1 : ystep
    k_lo  = int(floor(lo / ystep + 1e-9))
    k_hi  = int(ceil(hi / ystep - 1e-9))
}
ydec = (ystep < 0.99) ? 1 : 0
set yrange [k_lo * ystep : k_hi * ystep]
set ytics out nomirror textcolor rgb "#333333"
set ytics ()
do for [k = k_lo:k_hi] {
    set ytics add (label(k * ystep) k * ystep)
}
set ylabel ylabel textcolor rgb "#333333" offset 0.5,0

# ---------------------------------------------------------------------------
# Frame, grid, margins, title, subtitle
# ---------------------------------------------------------------------------
set border 3 linecolor rgb C_BORDER linewidth 1
set style line 100 linetype 1 linecolor rgb C_GRID linewidth 1 dashtype solid
set grid xtics ytics back linestyle 100
set lmargin 11
set rmargin 5
set tmargin ((subtitle ne "") ? 5.5 : 4)
if (title ne "") {
    set title title font ",16" textcolor rgb "#1a1a1a" offset 0, ((subtitle ne "") ? 1.6 : 0.6)
}
if (subtitle ne "") {
    set label 1 subtitle at graph 0.5, graph 1 center offset 0, 1.9 font ",11" textcolor rgb "#555555"
}

# Projection start: thin dashed vertical line with a label at its top, on
# the projection side (the top 10% of the plot is kept free of data).
set arrow 1 from first t_start, graph 0 to first t_start, graph 1 nohead \
    linecolor rgb C_START linewidth 1.5 dashtype (20,14) back
# An opaque text box keeps grid lines from running through the label.
set style textbox opaque noborder margins 1.5, 1.0
set label 2 "projection starts" at first t_start, graph 0.965 left offset 0.8, 0 \
    textcolor rgb C_START font ",10" boxed front

# Key below the plot, in two columns: one row per series (its median, then
# its band), then a row with the observed line when there is history.
# Entries come from keyentry, so their order does not depend on the drawing
# order.  The bottom margin grows with the number of rows (fan.gp's 5.5
# holds the tic labels and two rows).
set key outside below center horizontal reverse Left noautotitle \
    samplen 2.5 spacing 1.2 width 0 textcolor rgb "#333333"
set key maxcols 2
keyrows = nser + (nhist > 0)
set bmargin (3.1 + 1.2 * keyrows)

set style fill solid 1.0 noborder

# ---------------------------------------------------------------------------
# Plot command, built as a string (layers from back to front: every band,
# the y = 0 line, every median, the observed line; then the key entries).
# Paths and names are not pasted into the command: it refers to them as
# word(files, i) and word(names, i), so no quoting can go wrong.
# ---------------------------------------------------------------------------
X = "(timecolumn(1,DATEFMT))"
BAND(i) = sprintf("linecolor rgb '%s' fillstyle transparent solid %g noborder", col(i), ALPHA)
MED(i)  = sprintf("linecolor rgb '%s' linewidth 2.5", col(i))
PLOT = ""
do for [i = 1:nser] {
    PLOT = PLOT . sprintf("word(files,%d) using %s:3:9 skip 1 with filledcurves %s, ", i, X, BAND(i))
    if (JOIN[i] >= 0) {
        PLOT = PLOT . sprintf("$JOIN index %d using 1:2:4 with filledcurves %s, ", JOIN[i], BAND(i))
    }
}
if (zero) {
    PLOT = PLOT . sprintf("0 with lines linecolor rgb '%s' linewidth 1.5, ", C_ZERO)
}
do for [i = 1:nser] {
    PLOT = PLOT . sprintf("word(files,%d) using %s:6 skip 1 with lines %s, ", i, X, MED(i))
    if (JOIN[i] >= 0) {
        PLOT = PLOT . sprintf("$JOIN index %d using 1:3 with lines %s, ", JOIN[i], MED(i))
    }
}
if (nhist > 0) {
    PLOT = PLOT . sprintf("histfile using %s:2 skip 1 with lines linecolor rgb '%s' linewidth 2, ", X, C_OBS)
}
# The key fills column by column: the medians (and the observed line) make
# the first column, the bands the second, so each row is one series.
do for [i = 1:nser] {
    PLOT = PLOT . sprintf("keyentry with lines %s title word(names,%d).': median', ", MED(i), i)
}
if (nhist > 0) {
    PLOT = PLOT . sprintf("keyentry with lines linecolor rgb '%s' linewidth 2 title 'Observed (month-end count)', ", C_OBS)
}
do for [i = 1:nser] {
    PLOT = PLOT . sprintf("keyentry with boxes %s title word(names,%d).': P5–P95 (90%% interval)', ", BAND(i), i)
}
PLOT = PLOT[1:strlen(PLOT) - 2]           # drop the trailing ", "

set output outfile
plot @PLOT
unset output
