# frontier.gp - cost vs availability of every candidate, the Pareto frontier
# with 95% t-intervals, the recommended configuration and reference lines.
# Parameters (data/frontier.params.gp): title, xlabel, ylabel, logscale,
# xmax, ymin, ymax, ufloor, has_baseline, baseline, has_floor, cost_floor,
# slo_y, slo_title, has_slo, rec_x, rec_y, rec_label, has_rec; data in
# data/frontier_points.tsv (id cost avail% unavail), data/frontier_line.tsv
# (... cost_lo cost_hi avail%_lo avail%_hi unavail_lo unavail_hi) and
# data/frontier_rec.tsv (cost avail% unavail).
out_file = ARG2; out_fmt = ARG3; d = ARG0
load ARG1
i = strlen(d); while (i > 1 && d[i:i] ne '/') { i = i - 1 }; load d[1:i].'common.gp'
set title title
set xlabel xlabel
set ylabel ylabel
set xrange [0:xmax]
set format x '$%.0f'
set key bottom right
if (logscale) {
    set logscale y
    set yrange [ymax:ufloor]
    set ytics ()
    do for [k=1:9] { if (10**(-k) >= ufloor*0.999) { set ytics add (sprintf('%g%%%%', 100*(1-10**(-k))) 10**(-k)) } }
    if (ymax >= 1) { set ytics add ('0%%' 1) }
    if (ufloor_is_perfect) { set ytics add ('100%%' ufloor) }
    ycol = 4
} else {
    set yrange [ymin:ymax]
    set format y '%g%%'
    ycol = 3
}
if (has_baseline) {
    set arrow 1 from baseline, graph 0 to baseline, graph 1 nohead lw 2 dt 2 lc rgb c_red
}
if (has_floor) {
    set arrow 2 from cost_floor, graph 0 to cost_floor, graph 1 nohead lw 2 dt 3 lc rgb c_green
}
if (has_slo) {
    set arrow 3 from graph 0, first slo_y to graph 1, first slo_y nohead lw 1.5 dt 4 lc rgb c_grey
}
if (has_rec) {
    # The label goes in the top-left corner, which lies above and left of
    # the whole frontier (so it is empty), with an arrow to the point: next
    # to the point it collided with the SLO line and the frontier.
    set label 1 rec_label at graph 0.02, graph 0.95 front left textcolor rgb '#000000' boxed
    set style textbox opaque noborder fillcolor rgb '#ffffff'
    set arrow 4 from graph 0.06, graph 0.92 to rec_x, rec_y front head filled size screen 0.012,20 lw 1.5 lc rgb c_orange
}
ylo = logscale ? 9 : 7
yhi = logscale ? 10 : 8
plot 'data/frontier_points.tsv' using 2:ycol with points pt 7 ps 1.0 lc rgb '#a0a0a0' title 'candidate (mean of replicas)', \
     'data/frontier_line.tsv' using 2:ycol:5:6:(column(ylo)):(column(yhi)) with xyerrorbars pt 7 ps 1.3 lw 1.5 lc rgb c_blue title 'Pareto frontier (95% interval)', \
     'data/frontier_line.tsv' using 2:ycol with lines lw 2.5 lc rgb c_blue notitle, \
     'data/frontier_rec.tsv' using 1:(column(ycol-1)) with points pt 6 ps 4 lw 3 lc rgb c_orange title 'recommended', \
     keyentry with lines lw 2 dt 2 lc rgb c_red title (has_baseline ? 'all On-Demand (the scenario as written, with no Spot)' : ''), \
     keyentry with lines lw 2 dt 3 lc rgb c_green title (has_floor ? 'cost floor' : ''), \
     keyentry with lines lw 1.5 dt 4 lc rgb c_grey title (has_slo ? slo_title : '')
