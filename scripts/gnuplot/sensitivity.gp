# sensitivity.gp - availability and cost of every candidate against each
# searched parameter: one small panel per parameter whose values are
# categories along x (availability on the left axis, cost on the right).
# Parameters: title, n_panels, cols, rows, panel_title_<k>, n_cat_<k>,
# cat_<k>_<j> (category labels), rot_<k> (1: rotate the labels), amin, amax,
# cmax.
# Data: data/sensitivity_<k>.tsv: category availability% cost_per_month;
#       data/sensitivity_<k>_mean.tsv: category mean_availability% mean_cost n.
out_file = ARG2; out_fmt = ARG3; d = ARG0
load ARG1
i = strlen(d); while (i > 1 && d[i:i] ne '/') { i = i - 1 }; load d[1:i].'common.gp'
set multiplot layout rows, cols title title font 'sans,16' margins 0.06, 0.94, 0.13, 0.88 spacing 0.10, 0.20
set tics font 'sans,11'
set ytics nomirror tc rgb c_blue
set y2tics nomirror tc rgb c_orange
set format y '%g%%'
set format y2 '$%.0f'
set yrange [amin:amax]
set y2range [0:cmax]
unset key
do for [k=0:n_panels-1] {
    set title value(sprintf('panel_title_%d', k)) font 'sans,13'
    nc = value(sprintf('n_cat_%d', k))
    set xrange [-0.5:nc-0.5]
    set xtics ()
    if (value(sprintf('rot_%d', k))) { set xtics rotate by 20 right } else { set xtics norotate center }
    do for [j=0:nc-1] { set xtics add (value(sprintf('cat_%d_%d', k, j)) j) }
    f = sprintf('data/sensitivity_%d.tsv', k)
    fm = sprintf('data/sensitivity_%d_mean.tsv', k)
    plot f using ($1-0.15):2 axes x1y1 with points pt 7 ps 0.5 lc rgb '#9cc3e0', \
         f using ($1+0.15):3 axes x1y2 with points pt 5 ps 0.45 lc rgb '#f3d08a', \
         fm using ($1-0.15):2 axes x1y1 with linespoints pt 7 ps 1.8 lw 2 lc rgb c_blue, \
         fm using ($1+0.15):3 axes x1y2 with linespoints pt 5 ps 1.6 lw 2 lc rgb c_orange
}
unset multiplot
