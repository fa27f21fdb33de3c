# Drawn by `sluice bench seed`; run `gnuplot plots.gp` in this folder to redraw.
set terminal pngcairo size 900,500 noenhanced font "sans,10"
set datafile separator "\t"
set grid ytics

set output "throughput.png"
set title "Puts per second per shard"
set xlabel "shards"
set ylabel "records/s per shard"
set xtics 1
set offsets 0.2, 0.2, 0, 0
set yrange [0:*]
set key top right
plot "throughput.dat" using 1:2 with linespoints lw 2 pt 7 title "PutRecord", \
     "throughput.dat" using 1:3 with linespoints lw 2 pt 5 title "PutRecords", \
     "throughput.dat" using 1:4 with linespoints lw 2 pt 9 title "PutRecord with a reader polling"

set output "lag.png"
set title "Put-to-get lag"
set xlabel "percentile"
set ylabel "lag (ms)"
set logscale y
set xtics ("p50" 0, "p90" 1, "p99" 2, "max" 3)
set key top left
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
plot "lag.dat" using 2 title columnheader(2), "" using 3 title columnheader(3), "" using 4 title columnheader(4)
