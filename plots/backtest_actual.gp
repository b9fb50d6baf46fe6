# backtest_actual.gp -- carecast backtest: forecasts against what was published
#
# WHAT IT DRAWS
#   The published yearly values of one measure for one geography (black
#   line and points), and for each origin year the forecast made from the
#   data up to 31 March of that year: its median (coloured line, starting
#   at the last published value) with the 80% interval (P10-P90) as error
#   bars at each forecast year.  x axis: year ending 31 March; y axis:
#   children, from 0.
#
# INPUTS (CSV, comma separated, one header line, skipped)
#   histfile   year,value
#   datafile   origin,year,p10,p50,p90, one block per origin separated by
#              two blank lines (gnuplot data sets 0, 1, ...)
#
# VARIABLES (gnuplot -e "name='value'; ..." plots/backtest_actual.gp)
#   datafile, histfile, outfile  required
#   origins    required  origin years of the blocks, separated by spaces
#   term       optional  'png' (default), 'svg' or 'pdf'
#   title, subtitle     optional
#   actuallabel         optional  legend of the black line (default 'published')
reset
set encoding utf8
if (!exists("datafile")) { print "backtest_actual.gp: variable 'datafile' is not set"; exit status 1 }
if (!exists("histfile")) { print "backtest_actual.gp: variable 'histfile' is not set"; exit status 1 }
if (!exists("outfile"))  { print "backtest_actual.gp: variable 'outfile' is not set";  exit status 1 }
if (!exists("origins"))  { print "backtest_actual.gp: variable 'origins' is not set";  exit status 1 }
if (!exists("term"))     { term = "png" }
if (!exists("title"))    { title = "" }
if (!exists("subtitle")) { subtitle = "" }
if (!exists("actuallabel")) { actuallabel = "published" }
if (term eq "png") {
    set terminal pngcairo size 1200,700 font "sans,11" linewidth 1.0 noenhanced
} else {
    if (term eq "svg") {
        set terminal svg size 1200,700 dynamic font "sans,11" linewidth 1.0 noenhanced
    } else {
        if (term eq "pdf") {
            set terminal pdfcairo size 10in,6in font "sans,10" linewidth 1.5 noenhanced
        } else {
            print sprintf("backtest_actual.gp: term '%s' is unknown (png, svg or pdf)", term); exit status 1
        }
    }
}
set output outfile
set datafile separator comma
set title title . (subtitle ne "" ? "\n" . subtitle : "")
set xlabel "year ending 31 March"
set ylabel "children"
set yrange [0:*]
set xtics 1 nomirror
set ytics nomirror format "%'.0f"
set grid ytics lc rgb "#dddddd"
set key outside bottom center horizontal
colours = "#0072B2 #D55E00 #009E73 #CC79A7 #E69F00 #56B4E9"
set datafile missing "nan"
blocks = words(origins)
plot histfile using 1:2 with linespoints lc rgb "#000000" lw 2 pt 7 ps 0.8 title actuallabel, \
     for [k=0:blocks-1] datafile index k using 2:4 with lines lw 2 \
         lc rgb word(colours, k % 6 + 1) title "forecast from ".word(origins, k + 1), \
     for [k=0:blocks-1] datafile index k every ::1 using 2:4:3:5 with yerrorbars pt 7 ps 0.6 \
         lc rgb word(colours, k % 6 + 1) notitle
unset output
