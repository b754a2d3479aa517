# timeline.gp - the fleet of one run (replica 0) over time: required vs
# healthy tasks with shortfall episodes and zone outages shaded and
# interruption notices marked (top panel); Spot and On-Demand instances
# stacked (bottom panel).
# Parameters: title, tmin, tmax, ymax_tasks, ymax_inst, n_events, n_rebal,
# and `set object` rectangles for the shaded windows (numbers only).
# Data: data/timeline.tsv (t_s required healthy spot od),
#       data/timeline_events.tsv (t_s kind: 1 notice, 2 rebalance).
out_file = ARG2; out_fmt = ARG3; d = ARG0
load ARG1
i = strlen(d); while (i > 1 && d[i:i] ne '/') { i = i - 1 }; load d[1:i].'common.gp'
set xdata time
set timefmt '%s'
set format x (span_days > 3 ? '%Y-%m-%d' : "%Y-%m-%d\n%H:%M")
set xrange [tmin:tmax]
set multiplot title title font 'sans,16'
set lmargin at screen 0.08
set rmargin at screen 0.97
# ---- top: tasks
set tmargin at screen 0.90
set bmargin at screen 0.40
set format x ''
set ylabel 'tasks'
set yrange [0:ymax_tasks]
set key bottom left horizontal
mark_y = ymax_tasks * 0.96
ev_plot = n_events > 0 ? "'data/timeline_events.tsv' using 1:($2 == 1 ? mark_y : NaN) with points pt 11 ps 1.6 lc rgb c_red title 'interruption notice'," : ""
rb_plot = n_rebal > 0 ? "'data/timeline_events.tsv' using 1:($2 == 2 ? mark_y*0.93 : NaN) with points pt 9 ps 1.3 lc rgb c_purple title 'rebalance recommendation'," : ""
plot @ev_plot @rb_plot \
     'data/timeline.tsv' using 1:3 with lines lw 2.5 lc rgb c_blue title 'healthy', \
     'data/timeline.tsv' using 1:2 with lines lw 2 dt 2 lc rgb '#000000' title 'required (SLO minimum)', \
     keyentry with boxes fs solid 0.25 noborder lc rgb c_red title 'shortfall', \
     keyentry with boxes fs solid 0.25 noborder lc rgb c_grey title (n_outages > 0 ? 'zone outage' : '')
unset object
# ---- bottom: instances
set tmargin at screen 0.37
set bmargin at screen 0.10
set format x (span_days > 3 ? '%Y-%m-%d' : "%Y-%m-%d\n%H:%M")
set xlabel 'time (UTC)'
set ylabel 'instances'
set yrange [0:ymax_inst]
set key top right horizontal
plot 'data/timeline.tsv' using 1:(0):5 with filledcurves fs solid 0.7 noborder lc rgb c_blue title 'On-Demand', \
     'data/timeline.tsv' using 1:5:($4+$5) with filledcurves fs solid 0.7 noborder lc rgb c_orange title 'Spot'
unset multiplot
