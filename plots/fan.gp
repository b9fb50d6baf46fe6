# fan.gp -- carecast fan chart of one projected cohort (gnuplot 5.4)
#
# WHAT IT DRAWS
#   One chart for one cohort (e.g. looked-after children):
#     * the observed monthly history as a solid dark line,
#     * the projection as a blue "fan": a light band from P5 to P95 (the
#       90% interval), a darker band from P25 to P75 (the 50% interval)
#       and the median (P50) as a solid blue line,
#     * a thin dashed vertical line where the projection starts, labelled
#       "projection starts",
#     * dates along the x axis (years; months such as "Jul 2025" for spans
#       of 4 years or less), counts on the y axis starting at 0 with
#       thousands separators, a light grid, a title and a smaller subtitle,
#       and a key underneath the plot (never on top of the data).
#   When the history ends the month before the projection starts, the bands
#   and the median are joined to the last observed point, so the fan opens
#   out from the count the projection started from.  The "mean", "p10" and
#   "p90" columns must be present but are not drawn.
#
# INPUTS (CSV, comma separated, exactly one header line, which is skipped)
#   datafile   date,mean,p5,p10,p25,p50,p75,p90,p95
#              one row per projected month; date is the ISO month-end date
#              (YYYY-MM-DD); values are counts (may be fractional).
#              Must hold at least one data row.
#   histfile   date,value
#              observed month-end counts before the projection starts.  May
#              hold only the header line (no history): the chart is then
#              drawn without the observed line and without warnings.
#
# VARIABLES (pass with  gnuplot -e "name='value'; ..." plots/fan.gp)
#   datafile   required  path of the projection CSV
#   outfile    required  path of the image to write
#   histfile   optional  path of the history CSV; undefined or '' = none
#   term       optional  'png' (default), 'svg' or 'pdf'
#   title      optional  main title (default: none)
#   subtitle   optional  smaller second line under the title (default: none)
#   ylabel     optional  y axis label (default: 'children')
#   target     optional  a value drawn as a dashed horizontal line across the
#                        chart (e.g. a target caseload), with a key entry
#   targetlabel optional key text of the target line (default: 'Target')
#   All text is drawn literally (no enhanced-text markup), so characters
#   such as _ ^ { } @ & ~ in titles and labels are safe.
#
# EXAMPLE
#   gnuplot -e "datafile='out/CLA.csv'; histfile='out/CLA_history.csv'; \
#               outfile='out/CLA.png'; term='png'; \
#               title='Looked-after children (all placements)'; \
#               subtitle='run: demo baseline, 1,000 replicates, seed 1'; \
#               ylabel='children (count at month end)'" plots/fan.gp
#
# Exit status is 1 (with a message on stderr) when a required variable is
# missing, term is unknown or the datafile holds no data rows (or cannot be
# read).  A histfile that is missing or zero bytes long is drawn as "no
# history", but gnuplot warns about it on stderr.

reset
set encoding utf8

# ---------------------------------------------------------------------------
# Variables and defaults
# ---------------------------------------------------------------------------
if (!exists("datafile")) { print "fan.gp: variable 'datafile' is not set"; exit status 1 }
if (!exists("outfile"))  { print "fan.gp: variable 'outfile' is not set";  exit status 1 }
if (!exists("histfile")) { histfile = "" }
if (!exists("term"))     { term = "png" }
if (!exists("title"))    { title = "" }
if (!exists("subtitle")) { subtitle = "" }
if (!exists("ylabel"))   { ylabel = "children" }
if (!exists("target"))   { target = NaN }
if (!exists("targetlabel")) { targetlabel = "Target" }
has_target = (target == target)   # false for NaN
C_TARGET = "#d55e00"          # target line (Okabe-Ito vermillion)

DATEFMT = "%Y-%m-%d"          # ISO month-end dates in column 1
DAY     = 86400.0             # seconds; gnuplot times are seconds since 1970
set datafile separator comma

# Colours: blue family for the projection, near-black for observations.
C_OBS    = "#1a1a1a"          # observed history line
C_MED    = "#08519c"          # median line
C_50     = "#7fb2dc"          # P25-P75 band
C_90     = "#d2e4f3"          # P5-P95 band
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
            print sprintf("fan.gp: unknown term '%s' (use png, svg or pdf)", term)
            exit status 1
        }
    }
}

# ---------------------------------------------------------------------------
# Read the extent of the data (before anything is plotted).
# "stats ... using 0" counts lines, the header included, and never warns,
# even for a header-only file, so it is used to test for empty files.
# ---------------------------------------------------------------------------
# (A zero-byte or unreadable file makes stats warn and leave STATS_records
# undefined, hence the exists() tests.)
stats datafile using 0 nooutput
nproj = exists("STATS_records") ? STATS_records - 1 : 0
if (nproj < 1) {
    print sprintf("fan.gp: no data rows in datafile '%s'", datafile)
    exit status 1
}
stats datafile using (timecolumn(1, DATEFMT)) skip 1 nooutput
t_first = STATS_min                       # first projected month end
t_last  = STATS_max                       # last projected month end
stats datafile using 9 skip 1 nooutput    # p95 is the top of the fan
ymax = STATS_max
stats datafile using 6 skip 1 every ::0::0 nooutput
p50_0 = STATS_min                         # first-row quantiles, used to join
stats datafile using 3 skip 1 every ::0::0 nooutput
p5_0 = STATS_min                          # the fan to the last observation
stats datafile using 5 skip 1 every ::0::0 nooutput
p25_0 = STATS_min
stats datafile using 7 skip 1 every ::0::0 nooutput
p75_0 = STATS_min
stats datafile using 9 skip 1 every ::0::0 nooutput
p95_0 = STATS_min

if (has_target && target > ymax) { ymax = target }

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

# Join the fan to the last observation when the history runs up to the month
# before the projection (gap of at most ~one month).
join = (nhist > 0 && t_first > h_last && t_first - h_last <= 32 * DAY)
if (join) {
    set print $JOIN
    print sprintf("%.0f,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g", h_last, h_lastval, h_lastval, h_lastval, h_lastval, h_lastval, h_lastval)
    print sprintf("%.0f,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g", t_first, p5_0, p25_0, p50_0, p75_0, p95_0, p50_0)
    unset print
}

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
# y axis: from 0, a "nice" step (1, 2 or 5 x 10^k; never below 1 because
# these are counts of children, and exactly 1 when the top is 12 or less)
# and at least 10% headroom above the highest value, so the "projection
# starts" label never touches the data.  Labels get thousands separators
# ("12,500"), written by hand because "%'d" depends on the locale.
# ---------------------------------------------------------------------------
commas(n) = (n < 1000) ? sprintf("%d", n) : commas(int(n / 1000)) . sprintf(",%03d", int(n) % 1000)
raw  = (ymax > 0) ? ymax * 1.1 / 6 : 1
mag  = 10 ** floor(log10(raw))
norm = raw / mag
ystep = (norm <= 1) ? mag : ((norm <= 2) ? 2 * mag : ((norm <= 5) ? 5 * mag : 10 * mag))
ystep = (ystep < 1 || ymax * 1.1 <= 12) ? 1 : ystep  # small cohorts: every count
ytop = ceil(ymax * 1.1 / ystep) * ystep
ytop = (ytop < 5 * ystep) ? 5 * ystep : ytop     # e.g. 0-5 for tiny counts
set yrange [0:ytop]
set ytics out nomirror textcolor rgb "#333333"
set ytics ()
do for [i = 0:int(ytop / ystep + 0.5)] {
    set ytics add (commas(int(i * ystep + 0.5)) i * ystep)
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
set bmargin 5.5
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

# Key below the plot.  Entries come from keyentry, so their order does not
# depend on the drawing order: with history two columns (the lines, then
# the bands), without history one row of three.
set key outside below center horizontal reverse Left noautotitle \
    samplen 2.5 spacing 1.2 width 0 textcolor rgb "#333333"
if (nhist > 0) { set key maxcols 2 } else { set key maxcols (has_target ? 4 : 3) maxrows 1 }

set style fill solid 1.0 noborder
set output outfile

# Target: a dashed horizontal line in front of the bands.
if (has_target) {
    set arrow 4 from graph 0, first target to graph 1, first target nohead \
        linecolor rgb C_TARGET linewidth 2 dashtype (12,8) front
}
KEY_TARGET = has_target ? sprintf("keyentry with lines linecolor rgb C_TARGET linewidth 2 dashtype (12,8) title '%s'", targetlabel) : ""


# ---------------------------------------------------------------------------
# Plot (layers from back to front: bands, median, observed)
# ---------------------------------------------------------------------------
FAN = "datafile using (timecolumn(1,DATEFMT)):3:9 skip 1 with filledcurves linecolor rgb C_90, "   . \
      "datafile using (timecolumn(1,DATEFMT)):5:7 skip 1 with filledcurves linecolor rgb C_50, "   . \
      "datafile using (timecolumn(1,DATEFMT)):6   skip 1 with lines linecolor rgb C_MED linewidth 2.5"
JOINPLOT = "$JOIN using 1:2:6 with filledcurves linecolor rgb C_90, " . \
           "$JOIN using 1:3:5 with filledcurves linecolor rgb C_50, " . \
           "$JOIN using 1:4 with lines linecolor rgb C_MED linewidth 2.5"
OBS = "histfile using (timecolumn(1,DATEFMT)):2 skip 1 with lines linecolor rgb C_OBS linewidth 2"
KEY_OBS = "keyentry with lines linecolor rgb C_OBS linewidth 2 title 'Observed (month-end count)'"
KEY_FAN = "keyentry with lines linecolor rgb C_MED linewidth 2.5 title 'Median (P50)', " . \
          "keyentry with boxes fillstyle solid 1.0 noborder linecolor rgb C_50 title 'P25–P75 (50% interval)', " . \
          "keyentry with boxes fillstyle solid 1.0 noborder linecolor rgb C_90 title 'P5–P95 (90% interval)'"

if (has_target) { KEY_FAN = KEY_FAN . ", " . KEY_TARGET }
if (nhist > 0) {
    if (join) {
        plot @FAN, @JOINPLOT, @OBS, @KEY_OBS, @KEY_FAN
    } else {
        plot @FAN, @OBS, @KEY_OBS, @KEY_FAN
    }
} else {
    plot @FAN, @KEY_FAN
}
unset output
