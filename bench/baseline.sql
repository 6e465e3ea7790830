-- Hand-written DuckDB baseline: core officer × month indicators with office-peer robust z-scores.
-- Reads the canonical `declarations` table of a store. Used by bench/run.py as the yardstick.
WITH d AS (
    SELECT
        office_code,
        officer_id,
        strftime(registered_at, '%Y-%m') AS period,
        (epoch(released_at) - epoch(registered_at)) / 3600.0 AS release_h,
        channel_assigned IN ('red', 'yellow') AS red_or_yellow,
        channel_assigned IN ('red', 'yellow')
            AND list_position(['green', 'blue', 'yellow', 'red'], channel_final)
              < list_position(['green', 'blue', 'yellow', 'red'], channel_assigned) AS overridden,
        inspection_result IN ('no_discrepancy', 'discrepancy') AS inspected,
        inspection_result = 'discrepancy' AS hit,
        declared_value,
        coalesce(assessed_value, declared_value) - declared_value AS uplift,
        released_at IS NOT NULL AS released,
        released_at IS NOT NULL AND (hour(released_at) < 7 OR hour(released_at) >= 18
                                     OR isodow(released_at) >= 6) AS after_hours,
        released_at IS NOT NULL AND duties_declared > 0 AS due,
        released_at IS NOT NULL AND duties_declared > 0
            AND (paid_at IS NULL OR paid_at > released_at) AS before_pay
    FROM declarations
    WHERE officer_id IS NOT NULL
),
agg AS (
    SELECT
        office_code, officer_id, period,
        count(*)::DOUBLE AS declarations,
        median(release_h) AS median_release_h,
        quantile_cont(release_h, 0.9) AS p90_release_h,
        count(*) FILTER (WHERE overridden) / nullif(count(*) FILTER (WHERE red_or_yellow), 0) AS override_rate,
        count(*) FILTER (WHERE hit) / nullif(count(*) FILTER (WHERE inspected), 0) AS hit_rate,
        sum(uplift) FILTER (WHERE inspected) / nullif(sum(declared_value) FILTER (WHERE inspected), 0) AS value_uplift,
        count(*) FILTER (WHERE after_hours) / nullif(count(*) FILTER (WHERE released), 0) AS after_hours_share,
        count(*) FILTER (WHERE before_pay) / nullif(count(*) FILTER (WHERE due), 0) AS before_payment_share
    FROM d
    GROUP BY ALL
),
long AS (
    UNPIVOT agg
    ON declarations, median_release_h, p90_release_h, override_rate, hit_rate, value_uplift,
       after_hours_share, before_payment_share
    INTO NAME indicator VALUE value
),
peers AS (
    SELECT *, median(value) OVER (PARTITION BY office_code, period, indicator) AS peer_median
    FROM long
),
spread AS (
    SELECT *, 1.4826 * median(abs(value - peer_median)) OVER (PARTITION BY office_code, period, indicator) AS mad
    FROM peers
)
SELECT office_code, officer_id, period, indicator, value, peer_median, (value - peer_median) / nullif(mad, 0) AS z
FROM spread
