# sensitivity.gp - availability and cost of every candidate against each
# searched parameter: one small panel per parameter (availability on the
# left axis, cost per month on the right).
# Parameters: title, n_panels, cols, rows, panel_title_<k>, is_cat_<k>,
# n_cat_<k>, cat_<k>_<j> (category labels), int_step_<k> (1: integer values,
# one tic per unit), amin, amax, cmax.
# Data: data/sensitivity_<k>.tsv: x availability% cost_per_month.
out_file = ARG2; out_fmt = ARG3; d = ARG0
load ARG1
i = strlen(d); while (i > 1 && d[i:i] ne '/') { i = i - 1 }; load d[1:i].'common.gp'
set multiplot layout rows, cols title title font 'sans,16' margins 0.07, 0.93, 0.10, 0.88 spacing 0.13, 0.14
set tics font 'sans,11'
set ytics nomirror tc rgb c_blue
set y2tics nomirror tc rgb c_orange
set ylabel 'availability' tc rgb c_blue font 'sans,11' offset 1,0
set y2label 'USD/month' tc rgb c_orange font 'sans,11' offset -1,0
set format y '%g%%'
set format y2 '$%.0f'
set yrange [amin:amax]
set y2range [0:cmax]
unset key
do for [k=0:n_panels-1] {
    set title value(sprintf('panel_title_%d', k)) font 'sans,13'
    set xtics () rotate by 0
    if (value(sprintf('is_cat_%d', k))) {
        nc = value(sprintf('n_cat_%d', k))
        set xrange [-0.5:nc-0.5]
        set xtics ()
        do for [j=0:nc-1] { set xtics add (value(sprintf('cat_%d_%d', k, j)) j) }
    } else {
        set xrange [*:*]
        if (value(sprintf('int_step_%d', k))) { set xtics 1 } else { set xtics autofreq }
        set offsets graph 0.05, graph 0.05, 0, 0
    }
    plot sprintf('data/sensitivity_%d.tsv', k) using ($1-0.08*value(sprintf('is_cat_%d', k))):2 axes x1y1 with points pt 7 ps 0.9 lc rgb c_blue, \
         '' using ($1+0.08*value(sprintf('is_cat_%d', k))):3 axes x1y2 with points pt 5 ps 0.8 lc rgb c_orange
    set offsets 0, 0, 0, 0
}
unset multiplot
