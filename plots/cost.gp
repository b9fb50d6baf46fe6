# cost.gp -- carecast cost by financial year against the budget (gnuplot 5.4)
#
# WHAT IT DRAWS
#   One bar per financial year at the median (P50) cost, with an error bar
#   from P10 to P90 (the 80% interval), and the budget of each year, where one
#   is given, as a red line across the bar.  Years along
#   the x axis ("2025-26"), pounds million on the y axis from 0, a light
#   grid, a title, a subtitle and a key underneath.
#
# INPUT (CSV, comma separated, exactly one header line, which is skipped)
#   datafile   year,p10,p50,p90,mean,budget
#              one row per financial year; costs in pounds million; budget
#              NaN where none is given.
#
# VARIABLES (pass with  gnuplot -e "name='value'; ..." plots/cost.gp)
#   datafile, outfile  required
#   term       optional  'png' (default), 'svg' or 'pdf'
#   title, subtitle, ylabel   optional
#
# Exit status 1 (with a message on stderr) when a required variable is
# missing or term is unknown.
reset
set encoding utf8
if (!exists("datafile")) { print "cost.gp: variable 'datafile' is not set"; exit status 1 }
if (!exists("outfile"))  { print "cost.gp: variable 'outfile' is not set";  exit status 1 }
if (!exists("term"))     { term = "png" }
if (!exists("title"))    { title = "" }
if (!exists("subtitle")) { subtitle = "" }
if (!exists("ylabel"))   { ylabel = "cost, pounds million" }
if (term eq "png") {
    set terminal pngcairo size 1200,700 font "sans,11" linewidth 1.0 noenhanced
} else {
    if (term eq "svg") {
        set terminal svg size 1200,700 dynamic font "sans,11" linewidth 1.0 noenhanced
    } else {
        if (term eq "pdf") {
            set terminal pdfcairo size 10in,6in font "sans,10" linewidth 1.5 noenhanced
        } else {
            print sprintf("cost.gp: term '%s' is unknown (png, svg or pdf)", term); exit status 1
        }
    }
}
set output outfile
set datafile separator comma
set title title . (subtitle ne "" ? "\n" . subtitle : "")
set ylabel ylabel
set yrange [0:*]
set offsets 0.5, 0.5, 0, 0
set xtics nomirror
set ytics nomirror format "%'.1f"
set grid ytics lc rgb "#dddddd"
set border 3
set key outside below center horizontal
set boxwidth 0.6
set style fill solid 0.85 noborder
plot datafile using 0:3:xtic(1) with boxes lc rgb "#56b4e9" title "median (P50)", \
     '' using 0:3:2:4 with yerrorbars lc rgb "#08519c" lw 2 pt 0 title "P10-P90 (80% interval)", \
     '' using 0:6:($0-0.4):($0+0.4) with xerrorbars lc rgb "#d55e00" lw 3 pt 7 ps 0.8 title "budget"
