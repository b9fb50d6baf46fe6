# breakdown.gp -- carecast cost by line, stacked, per financial year (gnuplot 5.4)
#
# WHAT IT DRAWS
#   One stacked bar per financial year: the mean cost of each line (placements
#   by need, support, staffing, services).  Means add up, so each bar's height
#   is the mean total (medians would not add up).  Years along the x axis,
#   pounds million on the y axis, a key underneath naming the lines.
#
# INPUT (CSV, comma separated, one header line naming the lines)
#   datafile   year,LINE1,LINE2,...   mean cost in pounds million
#
# VARIABLES   datafile, outfile, ncols (number of columns) required;
#             term, title, subtitle, ylabel optional
reset
set encoding utf8
if (!exists("datafile") || !exists("outfile") || !exists("ncols")) {
    print "breakdown.gp: variables datafile, outfile and ncols are required"; exit status 1 }
if (!exists("term"))     { term = "png" }
if (!exists("title"))    { title = "" }
if (!exists("subtitle")) { subtitle = "" }
if (!exists("ylabel"))   { ylabel = "mean cost, pounds million" }
if (term eq "png") {
    set terminal pngcairo size 1200,700 font "sans,11" linewidth 1.0 noenhanced
} else {
    if (term eq "svg") {
        set terminal svg size 1200,700 dynamic font "sans,11" linewidth 1.0 noenhanced
    } else {
        if (term eq "pdf") {
            set terminal pdfcairo size 10in,6in font "sans,10" linewidth 1.5 noenhanced
        } else {
            print sprintf("breakdown.gp: term '%s' is unknown (png, svg or pdf)", term); exit status 1
        }
    }
}
set output outfile
set datafile separator comma
set title title . (subtitle ne "" ? "\n" . subtitle : "")
set ylabel ylabel
set yrange [0:*]
set ytics nomirror
set grid ytics lc rgb "#dddddd"
set border 3
set key outside below center horizontal maxrows 3
set style data histograms
set style histogram rowstacked
set style fill solid 0.9 border rgb "#ffffff"
set boxwidth 0.6
array C[8] = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442"]
plot for [i=2:ncols] datafile using i:xtic(1) title columnheader(i) lc rgb C[(i-2)%8+1]
