# weekly.gp - interruptions per ISO week, one line per group (zone or
# instance type): how often Spot capacity was taken back, over time.
# Parameters: title, n_series, series_title_<k>, tmin, tmax, ymax, datafile.
# Data: one block per group: week_start_s count.
out_file = ARG2; out_fmt = ARG3; d = ARG0
load ARG1
i = strlen(d); while (i > 1 && d[i:i] ne '/') { i = i - 1 }; load d[1:i].'common.gp'
set title title
set xdata time
set timefmt '%s'
set format x '%Y-%m-%d'
set xtics rotate by 30 right font 'sans,12'
set xrange [tmin:tmax]
set yrange [0:ymax]
set xlabel 'week starting (Monday, UTC)'
set ylabel 'interrupted instances per week'
if (ymax <= 12) { set ytics 1 }
set key outside right top vertical
plot for [k=0:n_series-1] datafile index k using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc rgb series_colors[k % 8 + 1] title value(sprintf('series_title_%d', k))
