-- What business_seconds.sql counts with: the schedules value (Schedules.swift) read into arrays,
-- once per statement (see business_seconds.sql), and the zone's changes of offset.

-- MARK: Reading the schedules value

-- What business_parse makes of a schedules value (below). A type of its own, not OUT
-- parameters: PostgreSQL evaluates a call of constants while planning only when its result has
-- a named type (a record is evaluated on every row), and a PL/pgSQL function reads a composite
-- argument's arrays as they are, where it copies each array argument into an array of its own on
-- every call (three arrays: 0.6 µs a call). Made once: a later change of its fields drops it
-- first (DROP TYPE … CASCADE, which drops the functions this file and the next then make again).
DO $$
BEGIN
    CREATE TYPE @schema@.business_schedules AS (calendar bigint[], pieces bigint[], holidays bigint[], transitions bigint[],
                                                events bigint[], zone text, refusal text);
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;  -- made by another session meanwhile
END
$$;

-- business_json_valid(t): whether t is JSON, without raising (PostgreSQL 15 has no such test, and
-- an exception block would start a subtransaction, which a parallel query refuses). Each string
-- becomes S and each other scalar V (after any S and V of the text became x), then every array
-- and object of those is folded to V until one value is left.
CREATE OR REPLACE FUNCTION @schema@.business_json_valid(t text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    s text := translate(t, 'SV', 'xx');
    folded text;
BEGIN
    s := regexp_replace(s, '"([^"\\\x01-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"', 'S', 'g');
    s := regexp_replace(s, '-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?|true|false|null', 'V', 'g');
    s := regexp_replace(s, '[ \t\n\r]+', '', 'g');
    IF s !~ '^[][{}:,SV]*$' THEN RETURN false; END IF;
    LOOP
        folded := regexp_replace(regexp_replace(s, '\[([SV](,[SV])*)?\]', 'V', 'g'), '\{(S:[SV](,S:[SV])*)?\}', 'V', 'g');
        EXIT WHEN folded = s;
        s := folded;
    END LOOP;
    RETURN s IN ('S', 'V');
END
$$;

-- The first value of `key` in a JSON object, as Swift's JSONDecoder reads a repeated key.
CREATE OR REPLACE FUNCTION @schema@.business_json_field(object json, key text) RETURNS json
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT e.value FROM json_each(object) WITH ORDINALITY AS e(key, value, n) WHERE e.key = $2 ORDER BY e.n LIMIT 1
$$;

-- A JSON number that is a 64-bit integer (1.0 and 1e2 are, as JSONDecoder reads an Int), or NULL.
CREATE OR REPLACE FUNCTION @schema@.business_json_integer(v json) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT n::bigint FROM (SELECT v::text::numeric AS n) x
    WHERE n = trunc(n) AND n BETWEEN -9223372036854775808 AND 9223372036854775807
      AND json_typeof(v) = 'number' AND v::text !~ '[eE][-+]?[0-9]{4}'
$$;

-- Whether `v` is a JSON array of 64-bit integers (`[Int]`).
CREATE OR REPLACE FUNCTION @schema@.business_json_integers(v json) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT json_typeof(v) = 'array'
       AND NOT EXISTS (SELECT FROM json_array_elements(CASE WHEN json_typeof(v) = 'array' THEN v ELSE '[]' END) x(value)
                       WHERE json_typeof(x.value) <> 'number' OR @schema@.business_json_integer(x.value) IS NULL)
$$;

-- A window as the refusals write it: `Mon 22:00-06:00` (BusinessWindow.description).
CREATE OR REPLACE FUNCTION @schema@.business_window_text(weekday bigint, opens bigint, minutes bigint) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT (ARRAY['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'])[weekday] || ' '
        || lpad((opens / 60)::text, 2, '0') || ':' || lpad((opens % 60)::text, 2, '0') || '-'
        || CASE WHEN opens + minutes = 1440 THEN '24:00'
                ELSE lpad(((opens + minutes) % 1440 / 60)::text, 2, '0') || ':' || lpad(((opens + minutes) % 60)::text, 2, '0') END
$$;

-- The zone's offset at the UTC instant t, in seconds east.
CREATE OR REPLACE FUNCTION @schema@.business_offset(t bigint, zone text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_part('epoch', to_timestamp(t) AT TIME ZONE zone)::bigint - t
$$;

-- The zone's changes of offset from 2000 to 2040, for a call to find the offset of an instant
-- by binary search rather than through AT TIME ZONE (0.35 µs each, two a call): each change as
-- its instant · 2^18 + 2^17 + the offset from then on (the code of the offset; 0 is none);
-- the first element is 2000-01-01 with the offset then, the last 2040-01-01 with code 0
-- (beyond the table a call looks offsets up). Found by probing every three days (this tzdata's
-- changes are at least four days apart) and bisecting where the offset differs: about 5 ms,
-- once for each call of business_seconds in a statement, while it is planned.
CREATE OR REPLACE FUNCTION @schema@.business_transitions(zone text) RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    result bigint[] := ARRAY[946684800::bigint * 262144 + 131072 + @schema@.business_offset(946684800, zone)];
    change record;
    lo bigint;
    hi bigint;
    mid bigint;
BEGIN
    FOR change IN
        SELECT p.t - 259200 AS lo, p.t AS hi, p.before, p.after FROM (
            SELECT t, lag(o) OVER (ORDER BY t) AS before, o AS after
            FROM (SELECT t, @schema@.business_offset(t, zone) AS o FROM generate_series(946684800::bigint, 2208988800, 259200) t) x) p
        WHERE p.before <> p.after ORDER BY p.t
    LOOP
        lo := change.lo;
        hi := change.hi;
        WHILE hi - lo > 1 LOOP
            mid := lo + (hi - lo) / 2;
            IF @schema@.business_offset(mid, zone) = change.before THEN lo := mid; ELSE hi := mid; END IF;
        END LOOP;
        result := result || (hi * 262144 + 131072 + change.after);
    END LOOP;
    RETURN result || 2208988800::bigint * 262144;
END
$$;

-- An entry's stretches of 2000 to 2040 in which a call counts the common way, for it to tell with
-- one binary search: the zone's changes of offset, and around each closed day the UTC time its
-- windows can reach (its local day and the next, at the zone's largest and smallest offsets),
-- each boundary as (n · 2^32 + instant) · 2^18 + the code of the offset from then on
-- (business_transitions), 0 within a closed day's stretch and from 2040 on.
CREATE OR REPLACE FUNCTION @schema@.business_events(n bigint, days bigint[], transitions bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH offsets AS (SELECT min((x & 262143) - 131072) AS lo, max((x & 262143) - 131072) AS hi
                     FROM unnest(transitions) x WHERE x & 262143 <> 0),
    closed AS (SELECT d * 86400 - o.hi AS s, (d + 2) * 86400 - o.lo AS e FROM unnest(days) d, offsets o),
    bounds AS (SELECT x >> 18 AS t FROM unnest(transitions) x
               UNION SELECT greatest(s, 946684800) FROM closed WHERE e > 946684800 AND s < 2208988800
               UNION SELECT least(e, 2208988800) FROM closed WHERE e > 946684800 AND s < 2208988800)
    SELECT coalesce(array_agg(((n << 32) + t) * 262144
                     + CASE WHEN t >= 2208988800 OR EXISTS (SELECT FROM closed WHERE t >= closed.s AND t < closed.e) THEN 0
                            ELSE transitions[width_bucket(t * 262144 + 262143, transitions)] & 262143 END ORDER BY t), '{}')
    FROM bounds
$$;

-- business_parse(schedules): what Schedules(text:) and Schedules.calendars() make of the value
-- (Schedules.swift), as arrays a call reads in a few steps, or the refusal they would throw.
--
-- calendar: [1] 0, or 1 (refused) or 2 (refused once the zone is found: Swift looks the zone up
--   after an entry's windows are read, so a later entry's refusal comes after an unknown zone's);
--   [2] the number of teams with an entry, nt; [3] where the workspace's entry starts (0: none);
--   [4] the number of entries (Swift looks the zone up when there is one); [5] 0;
--   [6 .. 5+nt] the team keys; [6+nt .. 5+2nt] where each team's entry starts. An entry at e:
--   [e] the week's business seconds, [e+1 .. e+7] how far Monday's … Sunday's windows run past
--   midnight (seconds), [e+8] its number n (1, 2, …; the workspace's first), [e+9] its number of
--   closed days. The last entry of a team key (or of none) counts, as in Swift's dictionary.
-- pieces: each entry's week cut into its windows (one running past Sunday midnight in two; one of
--   length 0 at the week's start if none starts there), ascending, each as
--   ((n · 2^14 + start) · 2^14 + the week's window minutes before it) · 2^11 + its length, in
--   minutes from Monday 00:00: one width_bucket finds the piece of a wall time and all it needs.
-- holidays: n · 2^23 + 2^22 + day, ascending (days outside years 1 to 9999 are left out: no
--   instant a call takes meets them).
-- transitions, events: business_transitions and business_events of the zone and each entry
--   (events NULL past 8,191 entries, which its packing cannot number: every call then counts the
--   long way).
--
-- Its cost is set high so that PostgreSQL, weighing a generic plan of a prepared statement (where
-- a parameter is no constant) against planning with the values, keeps planning with them.
CREATE OR REPLACE FUNCTION @schema@.business_parse(schedules text) RETURNS @schema@.business_schedules
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000000 AS $$
DECLARE
    calendar bigint[];
    holidays bigint[];
    transitions bigint[];
    events bigint[];
    zone text;
    refused CONSTANT @schema@.business_schedules := ('{1}', NULL, NULL, NULL, NULL, NULL,
        'business_seconds: not a business-hours value (as --business-hours binds to :business_hours)');
    doc json;
    entries json;
    entry json;
    field json;
    w json;
    i integer;
    j integer;
    shift integer;
    team bigint;
    wd bigint[];
    op bigint[];
    mn bigint[];
    teams bigint[] := '{}';
    team_entries integer[] := '{}';
    workspace integer := 0;
    chosen integer[];
    pieces bigint[];
    spills bigint[];
    data bigint[] := '{}';
    blocks bigint[] := '{}';
    bases bigint[] := '{}';
    days bigint[];
    n integer;
    s bigint;
    e bigint;
BEGIN
    -- Decoding (Codable): any shape but the expected one is the one refusal.
    IF NOT @schema@.business_json_valid(schedules) THEN RETURN refused; END IF;
    doc := schedules::json;
    IF json_typeof(doc) <> 'object' THEN RETURN refused; END IF;
    field := @schema@.business_json_field(doc, 'zone');
    IF field IS NULL OR json_typeof(field) <> 'string' THEN RETURN refused; END IF;
    zone := field #>> '{}';
    entries := @schema@.business_json_field(doc, 'entries');
    IF entries IS NULL OR json_typeof(entries) <> 'array' THEN RETURN refused; END IF;
    FOR entry IN SELECT x.value FROM json_array_elements(entries) x LOOP
        IF json_typeof(entry) <> 'object' THEN RETURN refused; END IF;
        field := @schema@.business_json_field(entry, 'team');
        IF field IS NOT NULL AND json_typeof(field) <> 'null' AND @schema@.business_json_integer(field) IS NULL THEN RETURN refused; END IF;
        field := @schema@.business_json_field(entry, 'windows');
        IF field IS NULL OR json_typeof(field) <> 'array' THEN RETURN refused; END IF;
        FOR w IN SELECT x.value FROM json_array_elements(field) x LOOP
            IF @schema@.business_json_integers(w) IS NOT TRUE THEN RETURN refused; END IF;
        END LOOP;
        IF @schema@.business_json_integers(@schema@.business_json_field(entry, 'holidays')) IS NOT TRUE THEN RETURN refused; END IF;
    END LOOP;

    -- Each entry in order: its windows checked, (the zone), no two overlapping; the last entry of a key kept.
    i := 0;
    FOR entry IN SELECT x.value FROM json_array_elements(entries) x LOOP
        i := i + 1;
        field := @schema@.business_json_field(entry, 'windows');
        IF EXISTS (SELECT FROM json_array_elements(field) x(w)
                   WHERE json_array_length(x.w) <> 3
                      OR NOT coalesce(@schema@.business_json_integer(x.w -> 0) BETWEEN 1 AND 7
                                      AND @schema@.business_json_integer(x.w -> 1) BETWEEN 0 AND 1439
                                      AND @schema@.business_json_integer(x.w -> 2) BETWEEN 1 AND 1440, false)) THEN
            RETURN (ARRAY[CASE WHEN i = 1 THEN 1 ELSE 2 END], NULL, NULL, NULL, NULL, zone,
                    'business_seconds: not a business-hours value: a window is [weekday 1-7, opens 0-1439, minutes 1-1440]'
                   )::@schema@.business_schedules;
        END IF;
        SELECT coalesce(array_agg(d ORDER BY d, o, m), '{}'), coalesce(array_agg(o ORDER BY d, o, m), '{}'),
               coalesce(array_agg(m ORDER BY d, o, m), '{}')
          INTO wd, op, mn
          FROM (SELECT @schema@.business_json_integer(x.w -> 0) d, @schema@.business_json_integer(x.w -> 1) o,
                       @schema@.business_json_integer(x.w -> 2) m FROM json_array_elements(field) x(w)) y;
        FOR j IN 1 .. cardinality(wd) LOOP
            FOR n IN j + 1 .. cardinality(wd) LOOP
                s := (wd[j] - 1) * 1440 + op[j];
                e := (wd[n] - 1) * 1440 + op[n];
                FOREACH shift IN ARRAY ARRAY[-10080, 0, 10080] LOOP
                    IF s < e + mn[n] + shift AND e + shift < s + mn[j] THEN
                        RETURN ('{2}', NULL, NULL, NULL, NULL, zone, format('business_seconds: the windows %s and %s overlap: give each hour once.',
                                          @schema@.business_window_text(wd[j], op[j], mn[j]),
                                          @schema@.business_window_text(wd[n], op[n], mn[n])))::@schema@.business_schedules;
                    END IF;
                END LOOP;
            END LOOP;
        END LOOP;
        field := @schema@.business_json_field(entry, 'team');
        team := CASE WHEN json_typeof(field) = 'number' THEN @schema@.business_json_integer(field) END;
        IF team IS NULL THEN
            workspace := i;
        ELSIF array_position(teams, team) IS NULL THEN
            teams := teams || team;
            team_entries := team_entries || i;
        ELSE
            team_entries[array_position(teams, team)] := i;
        END IF;
    END LOOP;

    -- The arrays: the workspace's entry first (number 1), then each team's.
    chosen := CASE WHEN workspace > 0 THEN ARRAY[workspace] ELSE '{}'::integer[] END || team_entries;
    holidays := '{}';
    events := '{}';
    transitions := CASE WHEN json_array_length(entries) > 0 THEN @schema@.business_transitions(zone) END;
    FOR n IN 1 .. cardinality(chosen) LOOP
        entry := entries -> (chosen[n] - 1);
        SELECT coalesce(array_agg(start * 2048 + len ORDER BY start), '{}') INTO pieces FROM (
            SELECT p.start, p.len FROM json_array_elements(@schema@.business_json_field(entry, 'windows')) x(w),
                LATERAL (SELECT (@schema@.business_json_integer(x.w -> 0) - 1) * 1440 + @schema@.business_json_integer(x.w -> 1) AS s,
                                @schema@.business_json_integer(x.w -> 2) AS m) y,
                LATERAL (VALUES (y.s, least(y.m, 10080 - y.s)), (0, y.s + y.m - 10080)) p(start, len)
            WHERE p.len > 0) z;
        IF cardinality(pieces) = 0 OR pieces[1] >> 11 <> 0 THEN pieces := 0::bigint || pieces; END IF;
        SELECT array_agg(coalesce((SELECT max(@schema@.business_json_integer(x.w -> 1) + @schema@.business_json_integer(x.w -> 2) - 1440) * 60
                                   FROM json_array_elements(@schema@.business_json_field(entry, 'windows')) x(w)
                                   WHERE @schema@.business_json_integer(x.w -> 0) = k
                                     AND @schema@.business_json_integer(x.w -> 1) + @schema@.business_json_integer(x.w -> 2) > 1440), 0) ORDER BY k)
          INTO spills FROM generate_series(1, 7) k;
        SELECT coalesce(array_agg(DISTINCT d ORDER BY d), '{}') INTO days
          FROM (SELECT @schema@.business_json_integer(x.h) d FROM json_array_elements(@schema@.business_json_field(entry, 'holidays')) x(h)) y
         WHERE d BETWEEN -719200 AND 2933000;
        s := 0;
        FOR j IN 1 .. cardinality(pieces) LOOP
            data := data || ((((n * 16384::bigint + (pieces[j] >> 11)) << 14) + s) << 11) + (pieces[j] & 2047);
            s := s + (pieces[j] & 2047);
        END LOOP;
        bases := bases || (cardinality(blocks) + 1)::bigint;
        blocks := blocks || s * 60 || spills || n::bigint || cardinality(days)::bigint;
        holidays := holidays || ARRAY(SELECT n * 8388608::bigint + 4194304 + d FROM unnest(days) d);
        events := events || @schema@.business_events(n, days, transitions);
    END LOOP;
    -- Entry positions so far count from the first block; the header and the team table go before them.
    i := 5 + 2 * cardinality(teams);
    calendar := ARRAY[0, cardinality(teams), CASE WHEN workspace > 0 THEN bases[1] + i ELSE 0 END,
                      json_array_length(entries), 0]::bigint[]
        || teams
        || ARRAY(SELECT bases[k] + i FROM generate_series(CASE WHEN workspace > 0 THEN 2 ELSE 1 END, cardinality(bases)) k ORDER BY k)
        || blocks;
    RETURN (calendar, data, holidays, transitions, CASE WHEN cardinality(chosen) < 8192 THEN events END, zone, NULL
           )::@schema@.business_schedules;
END
$$;

