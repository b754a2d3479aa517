# survival.gp - Kaplan-Meier survival of Spot instance lifetimes per pool:
# P(an instance is still running, not interrupted, after t hours).
# Parameters: title, n_series, series_title_<k>, xmax.
# Data: data/survival.tsv, one block per pool: t_hours S(t) (steps).
out_file = ARG2; out_fmt = ARG3; d = ARG0
load ARG1
i = strlen(d); while (i > 1 && d[i:i] ne '/') { i = i - 1 }; load d[1:i].'common.gp'
set title title
set xlabel 'instance age (hours)'
set ylabel 'still running (not interrupted)'
set xrange [0:xmax]
set yrange [0:1.02]
set ytics ('0%%' 0, '20%%' 0.2, '40%%' 0.4, '60%%' 0.6, '80%%' 0.8, '100%%' 1)
set key below left horizontal maxrows 3 font 'sans,12' nobox noopaque
set bmargin 8
plot for [k=0:n_series-1] 'data/survival.tsv' index k using 1:2 with steps lw 2.5 lc rgb series_colors[k % 8 + 1] title value(sprintf('series_title_%d', k))
