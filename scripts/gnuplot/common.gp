# common.gp - terminal and style shared by every spotsim report chart.
# Loaded by each template after the chart's parameters file; out_file is the
# output file, out_fmt the format (png or svg). Nothing here depends on the
# date, the machine or the user: two runs write byte-identical charts.
if (out_fmt eq 'svg') {
    set terminal svg size 1280,720 fixed font 'sans,14' noenhanced background '#ffffff'
} else {
    set terminal pngcairo size 1280,720 font 'sans,14' noenhanced background '#ffffff'
}
set output out_file
set datafile separator "\t"
set datafile missing 'NaN'
set encoding utf8
set grid lc rgb '#e0e0e0' lw 1
set border 3 lc rgb '#555555'
set tics nomirror
set key opaque box lc rgb '#bbbbbb' samplen 2 spacing 1.2
set title font 'sans,16'
# Palette: colour-blind safe (Okabe-Ito)
c_blue = '#0072b2'; c_orange = '#e69f00'; c_green = '#009e73'; c_red = '#d55e00'
c_purple = '#cc79a7'; c_sky = '#56b4e9'; c_yellow = '#f0e442'; c_grey = '#777777'
array series_colors[8] = ['#0072b2', '#e69f00', '#009e73', '#d55e00', '#cc79a7', '#56b4e9', '#000000', '#999933']
