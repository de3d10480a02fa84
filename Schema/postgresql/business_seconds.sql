-- business_seconds(a, b, schedules [, team_key]): the seconds of [a, b) in business hours, as on
-- SQLite (BusinessSecondsFunction.swift over BusinessCalendar.swift; SPEC §9), with the same
-- answers and refusals. business_schedules.sql, run before this file, reads the schedules value.
-- Both are run as functions.sql is (`@schema@`, each statement replacing what it makes).
--
-- How it counts. A window's UTC interval [instant(opens), instant(closes)) holds the instant t
-- exactly when the window's wall interval holds ew(t), the latest wall time whose instant is at
-- or before t. ew(t) is t's own wall time, except in the second pass of an hour the clocks went
-- back, where it stays at the last second before the change: an ambiguous edge takes the earlier
-- instant, and an edge in a spring-forward gap moves to the end of the gap, which ew(t) skips as
-- the clocks do. So between two changes of the zone's offset o, the business seconds of [a, b)
-- are those of the wall interval [a + o, b + o): the week's business seconds times the whole
-- weeks, the parts of the week's windows before each end (a binary search in the week's
-- pieces), less the windows of the closed days met on the way. A span that meets changes is cut
-- at each.
--
-- Speed. The reports bind `:business_hours` as a parameter, which PostgreSQL plans as a
-- constant; business_seconds is one SQL expression that PostgreSQL pastes into the query, so
-- business_parse (immutable) runs once, while the statement is planned (about 5 ms, most of it
-- the zone's table of changes), and each call gets its arrays as a constant. A call that meets
-- no change of offset and no closed day (nearly all) is a few steps of PL/pgSQL: one binary
-- search in its entry's events for both, one in the week at each end. A `schedules` that is a
-- column is parsed on every call: right, slow.
--
-- Measured (this 2-core machine, shared; server CPU time, median of 5): SELECT
-- sum(business_seconds(a, a + span, s, team)) over 300,000 rows of 2025, spans of a minute to
-- four days, Mon-Fri 09:00-17:00 and 8 closed days in Europe/Berlin, a third of the rows with a
-- team of its own: 0.74 s, 2.4 µs a call (the same sum of the spans alone: 0.05 s); without the
-- closed days 0.68 s; planning 12 ms. Over the benchmark warehouse's 299,620 resolution times
-- (America/New_York, Mon-Fri 09:00-17:00, one closed day), each counted once: 0.24 s, 0.8 µs a
-- call. Before the table of changes and the entries' events (two AT TIME ZONE a call, closed
-- days looked up apart, a cursor for each change) the first was 0.97 s; with the arrays as
-- separate arguments and the parse's result a record, 3 s.

-- MARK: Counting

-- The business seconds of an entry's week from a fixed Monday to the wall time w (seconds from
-- 1970-01-01 00:00 local), holidays aside, given the week's total and the piece of the week w
-- falls in (packed as business_parse packs them: its start, the minutes of the week before it,
-- its length): the whole weeks, then the week's windows before w. Only differences of it are
-- used. 62,294,659,200 s is 103,000 weeks and 3 days: w plus it is never negative for years 1
-- to 9999, and is 0 on a Monday.
CREATE OR REPLACE FUNCTION @schema@.business_week_piece(w bigint, week bigint, piece bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (w + 62294659200) / 604800 * week + 60 * (piece >> 11 & 16383)
         + least((w + 62294659200) % 604800 - 60 * (piece >> 25 & 16383), 60 * (piece & 2047))
$$;

-- The same, the piece found by binary search among the entry's (each entry's pieces start with
-- one at its week's start, so the search never lands in another entry's).
CREATE OR REPLACE FUNCTION @schema@.business_week(w bigint, entry bigint, calendar bigint[], pieces bigint[])
RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT @schema@.business_week_piece(w, calendar[entry],
        pieces[width_bucket((calendar[entry + 8] * 16384 + (w + 62294659200) % 604800 / 60) << 25 | 33554431, pieces)])
$$;

-- The business seconds of the wall interval [x, y) under an entry: its week's, less those of
-- each holiday's own windows (from the day's midnight, or where the day before's window that
-- runs past midnight ends, to where the day's own last window ends). A day's windows lie
-- between its midnight and the next day's end, so the holidays from the day before x's to y's
-- are all that can meet [x, y).
CREATE OR REPLACE FUNCTION @schema@.business_wall_seconds(x bigint, y bigint, entry bigint, c @schema@.business_schedules)
RETURNS bigint LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    total bigint := @schema@.business_week(y, entry, c.calendar, c.pieces)
                   - @schema@.business_week(x, entry, c.calendar, c.pieces);
    key bigint := c.calendar[entry + 8] * 8388608 + 4194304 - 721003;
    day bigint;
    k integer;
    lo bigint;
    hi bigint;
BEGIN
    IF c.calendar[entry + 9] = 0 THEN RETURN total; END IF;
    FOR i IN width_bucket(key + (x + 62294659200) / 86400 - 2, c.holidays) + 1 .. width_bucket(key + (y + 62294659200) / 86400, c.holidays) LOOP
        day := c.holidays[i] - key - 721003;
        k := ((day + 3) % 7 + 7) % 7 + 1;  -- 1 = Monday
        lo := greatest(x, day * 86400 + c.calendar[entry + CASE WHEN k = 1 THEN 7 ELSE k - 1 END]);
        hi := least(y, day * 86400 + 86400 + c.calendar[entry + k]);
        IF hi > lo THEN
            total := total - (@schema@.business_week(hi, entry, c.calendar, c.pieces)
                              - @schema@.business_week(lo, entry, c.calendar, c.pieces));
        END IF;
    END LOOP;
    RETURN total;
END
$$;

-- A span that meets changes of the offset: cut at each change, each part counted at its offset;
-- the second pass of an hour the clocks went back counts as the second before the change does.
-- The changes are the table's (business_transitions) when the span and the day before it lie
-- within it; else found by probing the offset every three days from a day before a (a clock
-- moved back at most a day: its second pass may hold a), bisecting where it differs.
CREATE OR REPLACE FUNCTION @schema@.business_seconds_across(a bigint, b bigint, entry bigint, c @schema@.business_schedules)
RETURNS bigint LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    first integer := width_bucket((a - 86400) * 262144 + 262143, c.transitions);
    last integer := width_bucket(b * 262144 + 262143, c.transitions);
    tabled boolean := first > 0 AND c.transitions[last] & 262143 <> 0;
    los bigint[];
    his bigint[];
    afters bigint[];
    total bigint := 0;
    cur bigint := a;
    o bigint;
    after bigint;
    lo bigint;
    hi bigint;
    mid bigint;
    e bigint;
BEGIN
    IF tabled THEN
        o := (c.transitions[first] & 262143) - 131072;
        IF first = last THEN  -- no change: a closed day near
            RETURN @schema@.business_wall_seconds(a + o, b + o, entry, c);
        END IF;
    ELSE
        o := @schema@.business_offset(a - 86400, c.zone);
        SELECT array_agg(p.lo ORDER BY p.hi), array_agg(p.hi ORDER BY p.hi), array_agg(p.after ORDER BY p.hi)
          INTO los, his, afters
          FROM (SELECT lag(t) OVER (ORDER BY t) AS lo, t AS hi, lag(x) OVER (ORDER BY t) AS before, x AS after
                FROM (SELECT t, @schema@.business_offset(t, c.zone) AS x
                      FROM (SELECT generate_series(a - 86400, b, 259200) AS t UNION SELECT b) probes) offsets) p
         WHERE p.before <> p.after;
    END IF;
    FOR i IN 1 .. CASE WHEN tabled THEN last - first ELSE coalesce(cardinality(his), 0) END LOOP
        IF tabled THEN
            hi := c.transitions[first + i] >> 18;
            lo := hi - 1;
            after := (c.transitions[first + i] & 262143) - 131072;
        ELSE
            lo := los[i];
            hi := his[i];
            after := afters[i];
        END IF;
        WHILE hi - lo > 1 LOOP
            mid := lo + (hi - lo) / 2;
            IF @schema@.business_offset(mid, c.zone) = o THEN lo := mid; ELSE hi := mid; END IF;
        END LOOP;
        -- The change is at hi: [cur, hi) at the old offset, then (clocks back) the repeated wall times.
        IF hi > cur THEN
            e := least(hi, b);
            total := total + @schema@.business_wall_seconds(cur + o, e + o, entry, c);
            cur := e;
        END IF;
        IF after < o THEN
            e := least(hi + (o - after), b);
            IF e > cur THEN
                total := total + (e - cur) * @schema@.business_wall_seconds(hi + o - 1, hi + o, entry, c);
                cur := e;
            END IF;
        END IF;
        o := after;
    END LOOP;
    IF b > cur THEN
        total := total + @schema@.business_wall_seconds(cur + o, b + o, entry, c);
    END IF;
    RETURN total;
END
$$;

-- The calls that count nothing (NULL, a refusal, b <= a): in the order Swift answers them. It
-- reads the zone with the schedules, before any answer, and refuses an instant outside the
-- years 1 to 9999 after b < a.
CREATE OR REPLACE FUNCTION @schema@.business_seconds_aside(a bigint, b bigint, entry bigint, c @schema@.business_schedules)
RETURNS bigint LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF a IS NULL OR b IS NULL OR c.calendar IS NULL THEN RETURN NULL; END IF;
    IF c.calendar[1] = 2 OR (c.calendar[1] = 0 AND c.calendar[4] > 0) THEN PERFORM to_timestamp(0) AT TIME ZONE c.zone; END IF;
    IF c.calendar[1] <> 0 THEN RAISE EXCEPTION '%', c.refusal; END IF;
    IF entry = 0 OR b < a THEN RETURN NULL; END IF;
    IF a < -62135596800 OR b > 253402300799 THEN
        RAISE EXCEPTION 'business_seconds: the instants must be in the years 1 to 9999';
    END IF;
    RETURN 0;
END
$$;

-- A call: the entry of the team (else the workspace's), the answers that count nothing, then the
-- common span in a few steps: no change of offset from a day before a to b and no closed day
-- near (one binary search in the entry's events), then a binary search in the week at each end.
CREATE OR REPLACE FUNCTION @schema@.business_seconds_in(a bigint, b bigint, team_key bigint, c @schema@.business_schedules)
RETURNS bigint LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    entry bigint := CASE WHEN team_key IS NULL OR c.calendar[2] = 0 OR team_key = -9223372036854775808 THEN c.calendar[3]
                         ELSE coalesce(c.calendar[5 + c.calendar[2] + array_position(c.calendar[6:5 + c.calendar[2]], team_key)],
                                       c.calendar[3]) END;
    k integer;
    o bigint;
    v bigint;
    w bigint;
BEGIN
    IF a IS NULL OR b IS NULL OR c.calendar IS NULL OR c.calendar[1] <> 0 OR entry = 0 OR b <= a
       OR a < -62135596800 OR b > 253402300799 THEN
        RETURN @schema@.business_seconds_aside(a, b, entry, c);
    END IF;
    -- The entry's last event up to b (business_events): none after a day before a, and b in a
    -- stretch counted the common way.
    k := width_bucket(((c.calendar[entry + 8] << 32) + least(greatest(b, 0), 4294967295)) * 262144 + 262143, c.events);
    IF coalesce(c.events[k] & 262143, 0) = 0 OR (c.events[k] >> 18) - (c.calendar[entry + 8] << 32) > a - 86400 THEN
        RETURN @schema@.business_seconds_across(a, b, entry, c);
    END IF;
    o := (c.events[k] & 262143) - 131072;
    -- business_week(b + o) - business_week(a + o), each piece looked up once.
    v := c.pieces[width_bucket((c.calendar[entry + 8] * 16384 + (a + o + 62294659200) % 604800 / 60) << 25 | 33554431, c.pieces)];
    w := c.pieces[width_bucket((c.calendar[entry + 8] * 16384 + (b + o + 62294659200) % 604800 / 60) << 25 | 33554431, c.pieces)];
    RETURN @schema@.business_week_piece(b + o, c.calendar[entry], w) - @schema@.business_week_piece(a + o, c.calendar[entry], v);
END
$$;

-- business_seconds(a, b, schedules [, team_key]). One SQL expression, which PostgreSQL pastes into
-- the calling query: the parse of a constant `schedules` (a bound parameter is one) is then done
-- once, while planning, and reaches each call as a constant.
CREATE OR REPLACE FUNCTION @schema@.business_seconds(a bigint, b bigint, schedules text, team_key bigint) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT @schema@.business_seconds_in(a, b, team_key, @schema@.business_parse(schedules))
$$;

CREATE OR REPLACE FUNCTION @schema@.business_seconds(a bigint, b bigint, schedules text) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT @schema@.business_seconds_in(a, b, NULL, @schema@.business_parse(schedules))
$$;
