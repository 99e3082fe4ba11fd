using System.Diagnostics;
using System.Globalization;
using Finsoft.AmlBench;
using Finsoft.Screening;

// Screening quality and speed on a labelled set: recall and precision at the threshold, per kind of variant,
// then screenings per second against the whole list, with a brute-force scan (every entry scored) as the
// reference measured in the same run.
var entries = int.Parse(Environment.GetEnvironmentVariable("AML_ENTRIES") ?? "20000", CultureInfo.InvariantCulture);
var queries = int.Parse(Environment.GetEnvironmentVariable("AML_QUERIES") ?? "1500", CultureInfo.InvariantCulture);
var threshold = double.Parse(Environment.GetEnvironmentVariable("AML_MIN_MATCH") ?? "0.88", CultureInfo.InvariantCulture);

var (list, labelled) = LabelledSet.Build(entries, queries, seed: 2026);
var built = Stopwatch.StartNew();
var index = new ScreeningIndex(list.Select(e => ("bench", e)));
Console.WriteLine($"list: {index.Count:N0} entries, indexed in {built.ElapsedMilliseconds:N0} ms; {labelled.Count:N0} labelled queries " +
    $"({labelled.Count(l => l.Expected is not null):N0} should match, {labelled.Count(l => l.Expected is null):N0} should not); threshold {threshold}");

var found = 0;
var alerts = 0;
var rightAlerts = 0;
var missed = new Dictionary<string, int>();
var falseAlerts = new Dictionary<string, int>();
foreach (var item in labelled)
{
    var matches = index.Screen(item.Query, threshold);
    alerts += matches.Count;
    var right = item.Expected is not null && matches.Any(m => m.Entry.EntryId == item.Expected);
    rightAlerts += right ? 1 : 0;
    found += right ? 1 : 0;
    if (item.Expected is not null && !right)
    {
        missed[item.Variant] = missed.GetValueOrDefault(item.Variant) + 1;
    }
    var wrong = matches.Count(m => m.Entry.EntryId != item.Expected);
    if (wrong > 0)
    {
        falseAlerts[item.Variant] = falseAlerts.GetValueOrDefault(item.Variant) + wrong;
    }
}
var positives = labelled.Count(l => l.Expected is not null);
Console.WriteLine($"recall    {(double)found / positives:F3}  ({found:N0} of {positives:N0} listed people and companies found)");
Console.WriteLine($"precision {(alerts == 0 ? 1 : (double)rightAlerts / alerts):F3}  ({rightAlerts:N0} of {alerts:N0} alerts were the right entry)");
foreach (var variant in labelled.Select(l => l.Variant).Distinct().Order(StringComparer.Ordinal))
{
    var asked = labelled.Count(l => l.Variant == variant);
    Console.WriteLine($"  {variant,-22} {asked,5} asked  {missed.GetValueOrDefault(variant),4} missed  {falseAlerts.GetValueOrDefault(variant),4} wrong alerts");
}

// Speed: the index against the whole list, one thread; then the reference, scoring every entry.
var clock = Stopwatch.StartNew();
var screened = 0;
while (clock.Elapsed < TimeSpan.FromSeconds(5))
{
    foreach (var item in labelled)
    {
        index.Screen(item.Query, threshold);
        screened++;
    }
}
var perSecond = screened / clock.Elapsed.TotalSeconds;
var all = list.Select(e => (Entry: e, Names: e.Names.Select(NameNormalizer.Tokens).ToArray())).ToList();
clock.Restart();
var scanned = 0;
foreach (var item in labelled.Take(40))
{
    var asked = NameNormalizer.Tokens(item.Query.Name);
    _ = all.Count(e => e.Names.Any(n => NameSimilarity.Score(asked, n) >= threshold));
    scanned++;
}
var scanPerSecond = scanned / clock.Elapsed.TotalSeconds;
Console.WriteLine($"speed     {perSecond:N0} screenings/s with the index, one thread; reference: {scanPerSecond:N1}/s scoring every entry " +
    $"({perSecond / scanPerSecond:N0}x)");
