# backtest_errors.gp -- carecast backtest: spread of forecast errors across councils
#
# WHAT IT DRAWS
#   For each horizon (1, 2, 3 ... years ahead) three boxes side by side:
#   carecast's median forecast (blue), the naive last value (vermillion)
#   and the naive 3-year linear trend (green).  Each box spans P25-P75 of
#   the absolute percentage error across every council and origin, the
#   whiskers P10-P90 (the middle 80%), and a black line marks the median.
#   Lower is better.  y axis: absolute percentage error, % from 0.
#
# INPUT (CSV, comma separated, one header line, skipped)
#   datafile   horizon,method,p10,p25,p50,p75,p90,n
#              method 0 = carecast, 1 = last value, 2 = linear trend
#
# VARIABLES (gnuplot -e "name='value'; ..." plots/backtest_errors.gp)
#   datafile, outfile  required
#   term       optional  'png' (default), 'svg' or 'pdf'
#   title, subtitle     optional
reset
set encoding utf8
if (!exists("datafile")) { print "backtest_errors.gp: variable 'datafile' is not set"; exit status 1 }
if (!exists("outfile"))  { print "backtest_errors.gp: variable 'outfile' is not set";  exit status 1 }
if (!exists("term"))     { term = "png" }
if (!exists("title"))    { title = "" }
if (!exists("subtitle")) { subtitle = "" }
if (term eq "png") {
    set terminal pngcairo size 1200,700 font "sans,11" linewidth 1.0 noenhanced
} else {
    if (term eq "svg") {
        set terminal svg size 1200,700 dynamic font "sans,11" linewidth 1.0 noenhanced
    } else {
        if (term eq "pdf") {
            set terminal pdfcairo size 10in,6in font "sans,10" linewidth 1.5 noenhanced
        } else {
            print sprintf("backtest_errors.gp: term '%s' is unknown (png, svg or pdf)", term); exit status 1
        }
    }
}
set output outfile
set datafile separator comma
set title title . (subtitle ne "" ? "\n" . subtitle : "")
set xlabel "years after the origin (horizon)"
set ylabel "absolute percentage error, %"
set yrange [0:*]
stats datafile using 1 nooutput
set xrange [0.4:STATS_max + 0.6]
set xtics 1 nomirror
set ytics nomirror
set grid ytics lc rgb "#dddddd"
set boxwidth 0.22 absolute
set style fill solid 0.45 border -1
set key outside bottom center horizontal
colours = "#0072B2 #D55E00 #009E73"
label(m) = m == 0 ? "carecast (median)" : m == 1 ? "naive: last value" : "naive: linear trend over 3 years"
x(h, m) = h + (m - 1) * 0.27
plot for [m=0:2] datafile using (column(2) == m ? x(column(1), m) : NaN):4:3:7:6 \
         with candlesticks whiskerbars 0.5 lc rgb word(colours, m + 1) title label(m), \
     for [m=0:2] datafile using (column(2) == m ? x(column(1), m) : NaN):5:5:5:5 \
         with candlesticks lc rgb "#000000" lw 2 notitle
unset output
