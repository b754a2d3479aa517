# heatmap.gp - interruptions per capacity pool and ISO week.
# Parameters: title, n_pools, n_weeks, pool_label_<k>, week_label_<k>,
# week_step (label every week_step-th week), zmax.
# Data: data/heatmap.tsv: week_index pool_index count, a full grid.
out_file = ARG2; out_fmt = ARG3; d = ARG0
load ARG1
i = strlen(d); while (i > 1 && d[i:i] ne '/') { i = i - 1 }; load d[1:i].'common.gp'
set title title
set xlabel 'ISO week'
set ylabel ''
set xrange [-0.5:n_weeks-0.5]
set yrange [-0.5:n_pools-0.5]
set xtics () rotate by 45 right font 'sans,11'
do for [k=0:n_weeks-1] { if (k % week_step == 0) { set xtics add (value(sprintf('week_label_%d', k)) k) } }
set ytics () font 'sans,11'
do for [k=0:n_pools-1] { set ytics add (value(sprintf('pool_label_%d', k)) k) }
unset grid
set border 15
set palette defined (0 '#ffffff', 1 '#fde0c5', 3 '#f59e72', 6 '#d55e00', 10 '#7a1e00')
set cbrange [0:zmax]
if (zmax <= 10) { set cbtics 1 }
unset key
set cblabel 'interrupted instances'
set lmargin 30
# one filled box per cell: `with image` needs a grid of at least 2 x 2
# cells, and a single pool or week is common (one imported log)
# few cells: write the count in each (white on dark cells)
if (n_pools * n_weeks <= 120) {
    plot 'data/heatmap.tsv' using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle, \
         '' using 1:2:(sprintf('%d', $3)):($3 > zmax * 0.5 ? 0xffffff : 0x222222) with labels tc rgb variable font 'sans,12' notitle
} else {
    plot 'data/heatmap.tsv' using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle
}
