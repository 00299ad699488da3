"""``gzlongevity demo``: a synthetic Guangzhou register run through the service from 2021-09 to
2022-12 on a simulated clock, with an HTML report and the xlsx reports."""
