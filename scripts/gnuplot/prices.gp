# prices.gp - Spot price history of the pools (zones) of one instance type,
# with its On-Demand price as a reference line; the savings ratio is in the
# title. Parameters: title, n_series, series_title_<k> (k = 0..n_series-1),
# has_od, od_price, od_title, tmin, tmax, ymax, span_days.
# Data: data/<chart>.tsv, one block per pool (index k): t_s usd_per_hour,
# already expanded to steps (a price holds until the next record).
out_file = ARG2; out_fmt = ARG3; d = ARG0
load ARG1
i = strlen(d); while (i > 1 && d[i:i] ne '/') { i = i - 1 }; load d[1:i].'common.gp'
set title title
set xdata time
set timefmt '%s'
set format x (span_days > 3 ? '%Y-%m-%d' : "%m-%d\n%H:%M")
set xrange [tmin:tmax]
set yrange [0:ymax]
set xlabel 'time (UTC)'
set xtics rotate by 30 right font 'sans,12'
set ylabel 'price (USD per instance-hour)'
set format y '$%.3f'
set key outside right top vertical
if (has_od) {
    set arrow 1 from graph 0, first od_price to graph 1, first od_price nohead lw 2.5 dt 2 lc rgb c_red
}
plot for [k=0:n_series-1] datafile index k using 1:2 with lines lw 2 lc rgb series_colors[k % 8 + 1] title value(sprintf('series_title_%d', k)), \
     keyentry with lines lw 2.5 dt 2 lc rgb c_red title (has_od ? od_title : '')
