# cost.gp - the USD billed so far by one run (replica 0) over time:
# On-Demand and Spot stacked, the top edge the total.
# Parameters: title, tmin, tmax, span_days, ymax_usd.
# Data: data/cost.tsv (t_s od_cost_usd spot_cost_usd, cumulative).
out_file = ARG2; out_fmt = ARG3; d = ARG0
load ARG1
i = strlen(d); while (i > 1 && d[i:i] ne '/') { i = i - 1 }; load d[1:i].'common.gp'
set title title
set xdata time
set timefmt '%s'
set format x (span_days > 3 ? '%Y-%m-%d' : "%Y-%m-%d\n%H:%M")
set xrange [tmin:tmax]
set xlabel 'time (UTC)'
set ylabel 'USD billed so far'
set yrange [0:ymax_usd]
set key top left horizontal
plot 'data/cost.tsv' using 1:(0):2 with filledcurves fs solid 0.7 noborder lc rgb c_blue title 'On-Demand', \
     'data/cost.tsv' using 1:2:($2+$3) with filledcurves fs solid 0.7 noborder lc rgb c_orange title 'Spot', \
     'data/cost.tsv' using 1:($2+$3) with lines lw 2 lc rgb '#000000' title 'total'
