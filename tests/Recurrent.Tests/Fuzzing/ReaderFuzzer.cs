using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Recurrent.Tests.Fuzzing;

/// <summary>
/// Feeds a reader seeded random corruptions of valid files and checks that every outcome is either a
/// <see cref="RecurrentException"/> or a successful read of a file that is still valid; never another exception,
/// a hang or an allocation out of proportion to the file.
/// </summary>
/// <remarks>
/// <para>Case <c>i</c> draws everything from a generator seeded by (<see cref="Seed"/>, i), so a failing case is
/// replayed by its index alone; the bytes of failing cases are also saved (see <see cref="Report.FailureFolder"/>).</para>
/// <para>Each read runs on a worker thread so that a hang is caught (<see cref="CaseTimeout"/>) and the allocation of
/// the read alone is measured (<see cref="GC.GetAllocatedBytesForCurrentThread"/> on that thread): at most
/// <see cref="AllocationFactor"/> × the file's length + <see cref="AllocationConstant"/>. A read that spreads its work
/// over other threads would escape the measure; none of ours does.</para>
/// <para>The number of cases is <see cref="Cases"/>, or <c>RECURRENT_FUZZ_CASES</c> when set (the long mode, run by hand).</para>
/// </remarks>
public sealed partial class ReaderFuzzer
{
    /// <summary>How one case was corrupted.</summary>
    public delegate byte[] Mutation(byte[] valid, Random random);

    private readonly string _name;
    private readonly IReadOnlyList<byte[]> _examples;
    private readonly Func<string, object?> _read;
    private readonly List<(string Name, Mutation Apply)> _mutations = new();

    /// <param name="name">The reader's name, in reports and failure folders.</param>
    /// <param name="examples">Valid files' bytes; each case corrupts one of them.</param>
    /// <param name="read">Reads the file at the given path; returns what it read (for <see cref="Validate"/>).</param>
    public ReaderFuzzer(string name, IReadOnlyList<byte[]> examples, Func<string, object?> read)
    {
        if (examples.Count == 0) throw new ArgumentException("At least one example is needed.", nameof(examples));
        _name = name;
        _examples = examples;
        _read = read;
        foreach (var m in GenericMutations) _mutations.Add(m);
    }

    /// <summary>The generator's base seed.</summary>
    public int Seed { get; init; } = 20240615;

    /// <summary>Cases in the default run; <c>RECURRENT_FUZZ_CASES</c> overrides it.</summary>
    public int Cases { get; init; } = 300;

    /// <summary>Stop adding cases after this long even if fewer than <see cref="Cases"/> ran (the long mode's time box); null: no limit.</summary>
    public TimeSpan? TimeBox { get; init; }

    public TimeSpan CaseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public long AllocationFactor { get; init; } = 64;

    public long AllocationConstant { get; init; } = 2 << 20;

    /// <summary>The name the corrupted file is written under (a reader may care, e.g. ptb.train.txt).</summary>
    public string FileName { get; init; } = "case.bin";

    /// <summary>Called once with the scratch folder before any case, to put the files a reader needs beside the corrupted one.</summary>
    public Action<string>? Prepare { get; init; }

    /// <summary>
    /// Called after a successful read with the corrupted bytes and what was read: throws (an assertion) when the file
    /// was not in fact valid or the result does not match it. Null accepts every successful read.
    /// </summary>
    public Action<byte[], object?>? Validate { get; init; }

    /// <summary>Adds a format-aware mutation (e.g. <see cref="SafetensorsMutations"/>).</summary>
    public ReaderFuzzer With(string name, Mutation mutation)
    {
        _mutations.Add((name, mutation));
        return this;
    }

    public ReaderFuzzer With(IEnumerable<(string Name, Mutation Apply)> mutations)
    {
        foreach (var m in mutations) _mutations.Add(m);
        return this;
    }

    /// <summary>The number of cases to run: <c>RECURRENT_FUZZ_CASES</c> when set, else <paramref name="defaultCases"/>.</summary>
    public static int CasesFromEnvironment(int defaultCases) =>
        int.TryParse(Environment.GetEnvironmentVariable("RECURRENT_FUZZ_CASES"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : defaultCases;

    /// <summary>The long mode's time box per reader: <c>RECURRENT_FUZZ_SECONDS</c> when set, else <paramref name="defaultBox"/>.</summary>
    public static TimeSpan LongModeBox(TimeSpan defaultBox) =>
        int.TryParse(Environment.GetEnvironmentVariable("RECURRENT_FUZZ_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s > 0
            ? TimeSpan.FromSeconds(s) : defaultBox;

    /// <summary>True when the long mode was asked for.</summary>
    public static bool LongMode => Environment.GetEnvironmentVariable("RECURRENT_FUZZ_CASES") is { Length: > 0 };

    /// <summary>Runs the cases and returns what happened; <see cref="Report.AssertClean"/> fails the test on any failure.</summary>
    public Report Run()
    {
        int cases = CasesFromEnvironment(Cases);
        string scratch = Path.Combine(Path.GetTempPath(), $"recurrent-fuzz-{_name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        var report = new Report(_name, Path.Combine(Path.GetTempPath(), "recurrent-fuzz-failures", _name));
        var worker = new Worker();
        var clock = Stopwatch.StartNew();
        try
        {
            Prepare?.Invoke(scratch);
            string path = Path.Combine(scratch, FileName);
            for (int i = 0; i < cases; i++)
            {
                if (TimeBox is { } box && clock.Elapsed > box) break;
                var random = new Random(unchecked(Seed * 1_000_003 + i)); // not HashCode.Combine: its seed changes with every process
                byte[] valid = _examples[random.Next(_examples.Count)];
                (string mutationName, Mutation mutation) = _mutations[random.Next(_mutations.Count)];
                byte[] bytes = mutation(valid, random);
                File.WriteAllBytes(path, bytes);
                long bound = AllocationFactor * bytes.Length + AllocationConstant;

                Outcome outcome = worker.Run(() => _read(path), CaseTimeout);
                if (outcome.TimedOut)
                {
                    report.Fail(i, mutationName, bytes, $"no answer within {CaseTimeout.TotalSeconds} s (a hang?)");
                    worker = new Worker(); // the old one is stuck; it is a background thread
                    continue;
                }
                if (outcome.Allocated > bound)
                {
                    report.Fail(i, mutationName, bytes, $"allocated {outcome.Allocated:N0} bytes for a {bytes.Length:N0}-byte file (bound {bound:N0}); outcome: {Describe(outcome.Error)}");
                    continue;
                }
                switch (outcome.Error)
                {
                    case null:
                        try
                        {
                            Validate?.Invoke(bytes, outcome.Result);
                            report.Accept(mutationName, bytes.AsSpan().SequenceEqual(valid));
                        }
                        catch (Exception e)
                        {
                            report.Fail(i, mutationName, bytes, $"read a file that is not valid, or misread it: {e.GetType().Name}: {e.Message}");
                        }
                        break;
                    case RecurrentException e:
                        report.Refuse(mutationName, e.Message);
                        break;
                    case var e:
                        report.Fail(i, mutationName, bytes, $"{e.GetType().FullName}: {e.Message}\n{e.StackTrace}");
                        break;
                }
            }
        }
        finally
        {
            worker.Stop();
            report.Elapsed = clock.Elapsed;
            try { Directory.Delete(scratch, recursive: true); } catch (IOException) { }
        }
        return report;
    }

    private static string Describe(Exception? e) => e is null ? "read" : $"{e.GetType().Name}: {e.Message}";

    private readonly record struct Outcome(object? Result, Exception? Error, long Allocated, bool TimedOut);

    /// <summary>One background thread that runs reads one at a time and measures their allocation.</summary>
    private sealed class Worker
    {
        private readonly Thread _thread;
        private readonly SemaphoreSlim _start = new(0), _done = new(0);
        private Func<object?>? _job;
        private Outcome _outcome;
        private volatile bool _stop;

        public Worker()
        {
            // A reader may recurse (JSON); give it the stack a main thread has.
            _thread = new Thread(Loop, 16 << 20) { IsBackground = true, Name = "fuzz worker" };
            _thread.Start();
        }

        public Outcome Run(Func<object?> job, TimeSpan timeout)
        {
            _job = job;
            _start.Release();
            return _done.Wait(timeout) ? _outcome : new Outcome(null, null, 0, TimedOut: true);
        }

        public void Stop()
        {
            _stop = true;
            _start.Release();
        }

        private void Loop()
        {
            while (true)
            {
                _start.Wait();
                if (_stop) return;
                long before = GC.GetAllocatedBytesForCurrentThread();
                object? result = null;
                Exception? error = null;
                try
                {
                    result = _job!();
                }
                catch (Exception e)
                {
                    error = e;
                }
                _outcome = new Outcome(result, error, GC.GetAllocatedBytesForCurrentThread() - before, false);
                _done.Release();
            }
        }
    }

    /// <summary>What a run found: counts per mutation and outcome, refusals grouped by message, and failures.</summary>
    public sealed class Report(string reader, string failureFolder)
    {
        private readonly SortedDictionary<string, (int Accepted, int Refused)> _byMutation = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _refusals = new(StringComparer.Ordinal);
        private readonly List<string> _failures = new();

        public string Reader { get; } = reader;

        /// <summary>Where the bytes of failing cases are saved, as CASE-MUTATION.bin.</summary>
        public string FailureFolder { get; } = failureFolder;

        public int Cases { get; private set; }
        public int Accepted { get; private set; }
        public int Unchanged { get; private set; }
        public int Refused { get; private set; }
        public IReadOnlyList<string> Failures => _failures;
        public TimeSpan Elapsed { get; internal set; }

        /// <summary>Refusals by kind (the message with file names, numbers and quoted text taken out), most frequent first.</summary>
        public IEnumerable<KeyValuePair<string, int>> RefusalKinds => _refusals.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal);

        internal void Accept(string mutation, bool unchanged)
        {
            Cases++;
            Accepted++;
            if (unchanged) Unchanged++;
            _byMutation[mutation] = (_byMutation.GetValueOrDefault(mutation).Accepted + 1, _byMutation.GetValueOrDefault(mutation).Refused);
        }

        internal void Refuse(string mutation, string message)
        {
            Cases++;
            Refused++;
            _byMutation[mutation] = (_byMutation.GetValueOrDefault(mutation).Accepted, _byMutation.GetValueOrDefault(mutation).Refused + 1);
            string kind = KindOf(message);
            _refusals[kind] = _refusals.GetValueOrDefault(kind) + 1;
        }

        internal void Fail(int index, string mutation, byte[] bytes, string what)
        {
            Cases++;
            Directory.CreateDirectory(FailureFolder);
            string file = Path.Combine(FailureFolder, $"{index}-{mutation}.bin");
            File.WriteAllBytes(file, bytes);
            _failures.Add($"case {index} ({mutation}, saved as {file}): {what}");
        }

        /// <summary>Fails the test with the first failures when there are any.</summary>
        public void AssertClean()
        {
            Assert.True(_failures.Count == 0,
                $"{Reader}: {_failures.Count} of {Cases} cases failed:\n" + string.Join("\n\n", _failures.Take(5)) + "\n\n" + this);
            Assert.True(Refused > 0, $"{Reader}: no corruption was refused, so the mutations never reached the reader's checks.\n{this}");
        }

        public override string ToString()
        {
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"{Reader}: {Cases} cases in {Elapsed.TotalSeconds:F1} s: {Refused} refused (RecurrentException), {Accepted} read ({Unchanged} of them unchanged files), {_failures.Count} failures");
            text.AppendLine("  by mutation (read / refused): " + string.Join(", ", _byMutation.Select(p => $"{p.Key} {p.Value.Accepted}/{p.Value.Refused}")));
            text.AppendLine("  refusals by kind:");
            foreach (var (kind, count) in RefusalKinds) text.AppendLine(CultureInfo.InvariantCulture, $"    {count,6}  {kind}");
            return text.ToString();
        }

        /// <summary>A message's kind: paths, quoted text, hashes and numbers taken out, cut at 90 characters.</summary>
        internal static string KindOf(string message)
        {
            string kind = Paths().Replace(message, "FILE");
            kind = Quoted().Replace(kind, "'…'");
            kind = Hex().Replace(kind, "H");
            kind = HexBytes().Replace(kind, "bytes H");
            kind = Numbers().Replace(kind, "N");
            if (kind.Length <= 90) return kind;
            return kind[..(char.IsHighSurrogate(kind[89]) ? 89 : 90)] + "…"; // a cut pair would not encode in the report file
        }
    }

    [GeneratedRegex(@"(?<![\w.])/[^\s:',()]+")] private static partial Regex Paths();
    [GeneratedRegex("'[^']*'")] private static partial Regex Quoted();
    [GeneratedRegex(@"(?<![A-Za-z\d]-?)-?\d[\d,.]*")] private static partial Regex Numbers(); // not the 8 of UTF-8 or the 32 of F32
    [GeneratedRegex(@"bytes [0-9A-F]+\b")] private static partial Regex HexBytes();
    [GeneratedRegex(@"\b[0-9a-fA-F]{16,}\b")] private static partial Regex Hex();

    // ---- Mutations ----

    /// <summary>Interesting single bytes: NUL, edges of ASCII and of UTF-8 lead/continuation ranges, JSON and text syntax.</summary>
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x20, 0x22, 0x2C, 0x30, 0x39, 0x3A, 0x5B, 0x5C, 0x5D, 0x7B, 0x7D, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF];

    /// <summary>Invalid UTF-8: overlong forms, a lone continuation byte, an encoded surrogate, a cut sequence, bytes never valid.</summary>
    private static readonly byte[][] InvalidUtf8 =
        [[0xC0, 0x80], [0x80], [0xBF, 0xBF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFF], [0xFE, 0xFF], [0xF4, 0x90, 0x80, 0x80], [0xE0, 0x80, 0xAF]];

    /// <summary>Numbers that break assumptions when they replace a number in the file.</summary>
    private static readonly string[] HugeNumbers =
        ["2147483647", "2147483648", "4294967296", "9223372036854775807", "9223372036854775808", "18446744073709551615", "99999999999999999999999",
         "-1", "-2147483648", "0", "1e308", "1e999", "1.5", "65536", "1000000000", "NaN", "Infinity", "-Infinity"];

    private static readonly string[] NonFinite = ["NaN", "Infinity", "-Infinity", "nan", "inf", "1e999", "-1e999"];

    /// <summary>Mutations that know nothing about the format.</summary>
    public static IEnumerable<(string Name, Mutation Apply)> GenericMutations =>
    [
        ("bit-flips", BitFlips),
        ("byte-set", ByteSet),
        ("truncate", Truncate),
        ("insert", Insert),
        ("delete", Delete),
        ("duplicate", Duplicate),
        ("invalid-utf8", InsertInvalidUtf8),
        ("huge-number", ReplaceNumber(HugeNumbers)),
        ("nan-inf-text", ReplaceNumber(NonFinite)),
        ("swap-lines", SwapLines),
    ];

    private static byte[] BitFlips(byte[] valid, Random random)
    {
        byte[] b = (byte[])valid.Clone();
        if (b.Length == 0) return b;
        int flips = 1 + random.Next(8);
        for (int k = 0; k < flips; k++) b[random.Next(b.Length)] ^= (byte)(1 << random.Next(8));
        return b;
    }

    private static byte[] ByteSet(byte[] valid, Random random)
    {
        byte[] b = (byte[])valid.Clone();
        if (b.Length == 0) return b;
        int count = 1 + random.Next(4);
        for (int k = 0; k < count; k++)
            b[random.Next(b.Length)] = random.Next(2) == 0 ? InterestingBytes[random.Next(InterestingBytes.Length)] : (byte)random.Next(256);
        return b;
    }

    private static byte[] Truncate(byte[] valid, Random random) =>
        valid[..(random.Next(4) == 0 ? random.Next(Math.Min(valid.Length, 16) + 1) : random.Next(valid.Length + 1))];

    private static byte[] Insert(byte[] valid, Random random)
    {
        var inserted = new byte[1 + random.Next(64)];
        if (random.Next(2) == 0) random.NextBytes(inserted);
        else for (int k = 0; k < inserted.Length; k++) inserted[k] = InterestingBytes[random.Next(InterestingBytes.Length)];
        return Splice(valid, random.Next(valid.Length + 1), 0, inserted);
    }

    private static byte[] Delete(byte[] valid, Random random)
    {
        if (valid.Length == 0) return valid;
        int at = random.Next(valid.Length);
        return Splice(valid, at, 1 + random.Next(Math.Min(64, valid.Length - at)), []);
    }

    private static byte[] Duplicate(byte[] valid, Random random)
    {
        if (valid.Length == 0) return valid;
        int at = random.Next(valid.Length);
        int length = 1 + random.Next(Math.Min(256, valid.Length - at));
        byte[] chunk = valid[at..(at + length)];
        int copies = random.Next(4) == 0 ? 1 + random.Next(200) : 1;
        var repeated = new byte[chunk.Length * copies];
        for (int k = 0; k < copies; k++) chunk.CopyTo(repeated, k * chunk.Length);
        return Splice(valid, random.Next(valid.Length + 1), 0, repeated);
    }

    private static byte[] InsertInvalidUtf8(byte[] valid, Random random)
    {
        byte[] bad = InvalidUtf8[random.Next(InvalidUtf8.Length)];
        int at = random.Next(valid.Length + 1);
        // Half the time in place of existing bytes, so that lengths recorded in the file stay right.
        return random.Next(2) == 0 ? Splice(valid, at, Math.Min(bad.Length, valid.Length - at), bad) : Splice(valid, at, 0, bad);
    }

    /// <summary>Replaces one run of ASCII digits (a size, an offset, a count, a setting) with one of <paramref name="numbers"/>.</summary>
    private static Mutation ReplaceNumber(string[] numbers) => (valid, random) =>
    {
        var runs = new List<(int Start, int Length)>();
        for (int i = 0; i < valid.Length; i++)
        {
            if (!char.IsAsciiDigit((char)valid[i])) continue;
            int start = i;
            while (i < valid.Length && (char.IsAsciiDigit((char)valid[i]) || valid[i] is (byte)'.' or (byte)'e' or (byte)'-' or (byte)'+')) i++;
            runs.Add((start, i - start));
        }
        if (runs.Count == 0) return BitFlips(valid, random);
        (int s, int l) = runs[random.Next(runs.Count)];
        return Splice(valid, s, l, Encoding.ASCII.GetBytes(numbers[random.Next(numbers.Length)]));
    };

    /// <summary>Swaps two lines (text formats: order matters to some readers).</summary>
    private static byte[] SwapLines(byte[] valid, Random random)
    {
        var lines = new List<byte[]>();
        int start = 0;
        for (int i = 0; i <= valid.Length; i++)
            if (i == valid.Length || valid[i] == (byte)'\n') { lines.Add(valid[start..i]); start = i + 1; }
        if (lines.Count < 2) return ByteSet(valid, random);
        int a = random.Next(lines.Count), b = random.Next(lines.Count);
        (lines[a], lines[b]) = (lines[b], lines[a]);
        var result = new List<byte>(valid.Length);
        for (int i = 0; i < lines.Count; i++)
        {
            if (i > 0) result.Add((byte)'\n');
            result.AddRange(lines[i]);
        }
        return result.ToArray();
    }

    /// <summary>Mutations of the safetensors layout: the header length, sizes inside the header, and data values with the checksum kept right.</summary>
    public static IEnumerable<(string Name, Mutation Apply)> SafetensorsMutations =>
    [
        ("header-length", HeaderLength),
        ("header-json", HeaderJson),
        ("data-nan-inf", (valid, random) => DataValues(valid, random, fixChecksum: true)),
        ("data-values", (valid, random) => DataValues(valid, random, fixChecksum: false)),
    ];

    /// <summary>Sets the 8-byte header length to a nearby, tiny, huge or sign-flipped value.</summary>
    private static byte[] HeaderLength(byte[] valid, Random random)
    {
        byte[] b = (byte[])valid.Clone();
        if (b.Length < 8) return b;
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(b);
        ulong[] choices = [n + 1, n - 1, n + 8, n - 8, 0, 1, 2, (ulong)b.Length, (ulong)b.Length - 8, (ulong)b.Length - 7, 100_000_000, 100_000_001,
            uint.MaxValue, long.MaxValue, ulong.MaxValue, n * 2, n / 2, n | (1UL << 63)];
        BinaryPrimitives.WriteUInt64LittleEndian(b, choices[random.Next(choices.Length)]);
        return b;
    }

    /// <summary>Changes inside the JSON header that keep its length: a size or offset made huge, a key renamed, a value's type changed.</summary>
    private static byte[] HeaderJson(byte[] valid, Random random)
    {
        if (valid.Length < 8) return valid;
        int n = (int)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(valid), (ulong)(valid.Length - 8));
        string header = Encoding.UTF8.GetString(valid, 8, n);
        string changed = random.Next(6) switch
        {
            0 => ReplaceOne(header, @"\[(\d+), (\d+)\]|\[(\d+),(\d+)\]", m => $"[{m.Value.Trim('[', ']').Split(',')[0].Trim()},{HugeNumbers[random.Next(HugeNumbers.Length)]}]", random),
            1 => ReplaceOne(header, @"""shape"":\[[^\]]*\]", _ => $"\"shape\":[{HugeNumbers[random.Next(HugeNumbers.Length)]},{random.Next(100)}]", random),
            2 => ReplaceOne(header, @"""dtype"":""F32""", _ => random.Next(2) == 0 ? "\"dtype\":\"F64\"" : "\"dtype\":32", random),
            3 => ReplaceOne(header, @"\\""(hidden_size|vocab_size|num_layers|batch_size|num_steps|embedding_size|epoch|batch|step)\\"": ?(\d+)",
                m => m.Value[..(m.Value.LastIndexOf(':') + 1)] + " " + HugeNumbers[random.Next(HugeNumbers.Length)], random),
            4 => ReplaceOne(header, @"""(format_version|model_kind|format)"":""[^""]*""", m => m.Value.Replace("\":\"", "\":\"x"), random),
            // A lone surrogate escape in the header's own strings, or one inside the vocabulary's JSON text.
            _ => ReplaceOne(header, @"\\u[0-9a-fA-F]{4}|\\""w\d+\\""", _ => random.Next(2) == 0 ? "\\ud800" : "\\\"\\\\udc00\\\"", random),
        };
        byte[] body = Encoding.UTF8.GetBytes(changed);
        // Keep the header length field true to the new header, so that the change reaches the JSON checks.
        var result = new byte[8 + body.Length + (valid.Length - 8 - n)];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)body.Length);
        body.CopyTo(result, 8);
        valid.AsSpan(8 + n).CopyTo(result.AsSpan(8 + body.Length));
        return result;
    }

    private static string ReplaceOne(string text, string pattern, MatchEvaluator replace, Random random)
    {
        MatchCollection matches = Regex.Matches(text, pattern);
        if (matches.Count == 0) return text;
        Match m = matches[random.Next(matches.Count)];
        return text[..m.Index] + replace(m) + text[(m.Index + m.Length)..];
    }

    /// <summary>Overwrites floats of the data section with NaN, ±∞ or random bits; with <paramref name="fixChecksum"/> the header's data_sha256 is recomputed, so only the values can stop the read.</summary>
    private static byte[] DataValues(byte[] valid, Random random, bool fixChecksum)
    {
        byte[] b = (byte[])valid.Clone();
        if (b.Length < 8) return b;
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(b);
        long dataStart = 8 + n;
        if (dataStart + 4 > b.Length) return b;
        int floats = (int)((b.Length - dataStart) / 4);
        int count = 1 + random.Next(3);
        for (int k = 0; k < count; k++)
        {
            int at = (int)dataStart + 4 * random.Next(floats);
            float value = random.Next(4) switch
            {
                0 => float.NaN,
                1 => float.PositiveInfinity,
                2 => float.NegativeInfinity,
                _ => BitConverter.Int32BitsToSingle(random.Next()),
            };
            BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(at), value);
        }
        if (fixChecksum)
        {
            string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(b.AsSpan((int)dataStart)));
            string header = Encoding.UTF8.GetString(b, 8, (int)n);
            Match m = Regex.Match(header, @"""data_sha256"":""[0-9a-f]{64}""");
            if (m.Success)
            {
                byte[] replacement = Encoding.ASCII.GetBytes($"\"data_sha256\":\"{hash}\"");
                replacement.CopyTo(b, 8 + Encoding.UTF8.GetByteCount(header.AsSpan(0, m.Index)));
            }
        }
        return b;
    }

    private static byte[] Splice(byte[] source, int at, int remove, ReadOnlySpan<byte> insert)
    {
        var result = new byte[source.Length - remove + insert.Length];
        source.AsSpan(0, at).CopyTo(result);
        insert.CopyTo(result.AsSpan(at));
        source.AsSpan(at + remove).CopyTo(result.AsSpan(at + insert.Length));
        return result;
    }
}
