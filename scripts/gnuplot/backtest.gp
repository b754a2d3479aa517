# backtest.gp - predicted (training window) vs realized (test window) for
# every candidate of a backtest: availability (left) and cost per month
# (right), with the predicted 95 % interval as a horizontal bar; points on
# the diagonal = perfect prediction. The recommendation is drawn in red.
# Parameters: title.
# Data: data/backtest.tsv, block 0 all candidates, block 1 the recommendations:
# pred_avail lo hi real_avail pred_cost lo hi real_cost (availability in %).
out_file = ARG2; out_fmt = ARG3; d = ARG0
load ARG1
i = strlen(d); while (i > 1 && d[i:i] ne '/') { i = i - 1 }; load d[1:i].'common.gp'
set multiplot layout 1,2 title title
set key bottom right font 'sans,11'
set xlabel 'predicted availability (%)'
set ylabel 'realized availability (%)'
plot 'data/backtest.tsv' index 0 using 1:4:2:3 with xerrorbars pt 7 ps 0.6 lc rgb c_blue title 'candidates', \
     'data/backtest.tsv' index 1 using 1:4:2:3 with xerrorbars pt 7 ps 1.4 lc rgb c_red title 'recommendation', \
     x with lines dt 2 lc rgb c_grey title 'predicted = realized'
set xlabel 'predicted cost (USD per month)'
set ylabel 'realized cost (USD per month)'
plot 'data/backtest.tsv' index 0 using 5:8:6:7 with xerrorbars pt 7 ps 0.6 lc rgb c_blue title 'candidates', \
     'data/backtest.tsv' index 1 using 5:8:6:7 with xerrorbars pt 7 ps 1.4 lc rgb c_red title 'recommendation', \
     x with lines dt 2 lc rgb c_grey title 'predicted = realized'
unset multiplot
