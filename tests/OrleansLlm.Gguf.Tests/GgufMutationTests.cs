using System.Diagnostics;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Gguf.Tests;

/// <summary>
/// Valid files corrupted at random, tens of thousands of times: the reader must answer each with
/// a result or a <see cref="GgufFormatException"/>, never another exception and never a hang.
/// </summary>
public class GgufMutationTests
{
    private const int MutationsPerSeedFile = 6_000;

    public static TheoryData<string> SeedFiles => new() { "every-value-type", "demo-model-header" };

    [Theory]
    [MemberData(nameof(SeedFiles))]
    public async Task Random_corruption_raises_only_format_errors_and_never_hangs(string seedFile)
    {
        var original = seedFile == "every-value-type" ? TestFiles.EveryValueTypeFile() : DemoModelHeader();
        var random = new Random(seedFile.Length * 7919);
        var outcomes = new Dictionary<string, int>();

        var run = Task.Run(() =>
        {
            for (var i = 0; i < MutationsPerSeedFile; i++)
            {
                var mutant = Mutate(original, random);
                var clock = Stopwatch.StartNew();
                string outcome;
                try
                {
                    GgufReader.Read(mutant, i % 2 == 0 ? GgufReaderOptions.Default : GgufReaderOptions.LoadAllArrays);
                    outcome = "parsed";
                }
                catch (GgufFormatException)
                {
                    outcome = "format error";
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"mutation {i} of {seedFile} raised {e.GetType().Name}: {e.Message}", e);
                }
                // A single parse of a few KiB taking seconds means a walk sized by a corrupt count.
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"mutation {i} took {clock.Elapsed}");
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        });
        await run.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(MutationsPerSeedFile, outcomes.Values.Sum());
        Assert.True(outcomes.GetValueOrDefault("format error") > MutationsPerSeedFile / 4, $"mutations mostly went unnoticed: {string.Join(", ", outcomes)}");
    }

    private static byte[] DemoModelHeader()
    {
        // The demo model's header with its first tensors: vocabulary arrays, strings, tensor table.
        using var stream = new MemoryStream();
        DemoModel.CreateWriter(DemoModelOptions.Tiny).WriteTo(stream);
        return stream.ToArray();
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        // Most of what matters is in the header: aim there.
        var headerEnd = Math.Min(bytes.Length, 16 * 1024);
        switch (random.Next(6))
        {
            case 0:
                for (var k = random.Next(1, 4); k > 0; k--)
                    bytes[random.Next(headerEnd)] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                bytes[random.Next(headerEnd)] = (byte)random.Next(256);
                break;
            case 2:
                // A length or count field overwritten with something extreme.
                var at = random.Next(Math.Max(1, headerEnd - 8));
                ulong extreme = random.Next(4) switch
                {
                    0 => ulong.MaxValue,
                    1 => 1UL << random.Next(20, 63),
                    2 => (ulong)random.Next(0, 1 << 20),
                    _ => 0UL,
                };
                BitConverter.TryWriteBytes(bytes.AsSpan(at, 8), extreme);
                break;
            case 3:
                return bytes.AsSpan(0, random.Next(bytes.Length)).ToArray();
            case 4:
                var start = random.Next(headerEnd);
                var length = Math.Min(random.Next(1, 64), bytes.Length - start);
                random.NextBytes(bytes.AsSpan(start, length));
                break;
            default:
                // A 32-bit field (a type code, a dimension count) set to a small or huge value.
                var field = random.Next(Math.Max(1, headerEnd - 4));
                BitConverter.TryWriteBytes(bytes.AsSpan(field, 4), random.Next(3) == 0 ? uint.MaxValue : (uint)random.Next(64));
                break;
        }
        return bytes;
    }
}
