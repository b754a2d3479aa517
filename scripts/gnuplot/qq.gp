# qq.gp - quantile-quantile chart of instance lifetimes: for each pool, the
# Kaplan-Meier quantiles (data) against the quantiles of the fitted Weibull
# at the same probabilities; points on the diagonal = the Weibull fits.
# Parameters: title, n_series, series_title_<k>, xmax.
# Data: data/qq.tsv, one block per pool: model_quantile_hours data_quantile_hours.
out_file = ARG2; out_fmt = ARG3; d = ARG0
load ARG1
i = strlen(d); while (i > 1 && d[i:i] ne '/') { i = i - 1 }; load d[1:i].'common.gp'
set title title
set xlabel 'Weibull quantile (hours)'
set ylabel 'Kaplan-Meier quantile (hours)'
set xrange [0:xmax]
set yrange [0:xmax]
set key top left font 'sans,12'
plot x with lines lw 1.5 dt 2 lc rgb c_grey title 'perfect fit', \
     for [k=0:n_series-1] 'data/qq.tsv' index k using 1:2 with linespoints pt 7 ps 0.8 lw 1.5 lc rgb series_colors[k % 8 + 1] title value(sprintf('series_title_%d', k))
