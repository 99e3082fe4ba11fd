using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;

namespace Finsoft.Api.MoneyPath.Verification;

/// <summary>
/// An HMAC-SHA256 under a key the database never holds (<c>Finsoft:Ledger:SealKey</c>), over the ledger head and over each
/// checkpoint. The hash chain alone proves the journal against accidents, but anyone who can write the database can rewrite
/// an entry and compute the chain again; without the key they cannot seal the head or a checkpoint that vouches for it, so a
/// verification finds the rewrite. What a seal cannot see is a return to a state that truly existed (an old head with its
/// seal, and the entries after it deleted): backups and the WAL archive are the witnesses for that.
/// A seal is <c>keyid.hmac</c>. Keys listed in <c>Finsoft:Ledger:AcceptedSealKeys</c> prove seals but never make one: a
/// rotation lists the new key there on every node first, then makes it the seal key and lists the old one instead.
/// </summary>
public sealed class LedgerSeal
{
    private readonly SealKey _current;
    private readonly Dictionary<string, byte[]> _known;

    private sealed record SealKey(string Id, byte[] Bytes);

    public LedgerSeal(byte[] current, IEnumerable<byte[]> accepted)
    {
        _current = new SealKey(IdOf(current), current);
        _known = accepted.Select(k => new SealKey(IdOf(k), k)).Prepend(_current).DistinctBy(k => k.Id).ToDictionary(k => k.Id, k => k.Bytes);
    }

    /// <summary>What the head's seal covers: the last entry's sequence and hash.</summary>
    public static string HeadStatement(long sequence, string lastHash) => $"head|{N(sequence)}|{lastHash}";

    /// <summary>What a checkpoint's seal covers: its anchor, the hash of its totals and whether it is a full proof.</summary>
    public static string CheckpointStatement(LedgerCheckpointRow checkpoint) =>
        $"checkpoint|{checkpoint.Id:N}|{N(checkpoint.Sequence)}|{checkpoint.Hash}|{checkpoint.TotalsHash}|{(checkpoint.FullProof ? 1 : 0)}";

    /// <summary>What a verification job's seal covers: what it is, what it stands on, and how far it has proven.</summary>
    public static string ProgressStatement(LedgerVerificationRow job) =>
        $"progress|{job.Id:N}|{job.Kind}|{job.BaseCheckpointId:N}|{N(job.BaseSequence)}|{N(job.TargetSequence)}|{N(job.VerifiedSequence)}|{job.VerifiedHash}";

    /// <summary>What an archive's seal covers: the month, its run of the chain, and the checkpoint that stands in for it.</summary>
    public static string ArchiveStatement(LedgerArchiveRow archive) =>
        $"archive|{archive.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture)}|{N(archive.FirstSequence)}|{N(archive.LastSequence)}|{archive.CheckpointId:N}";

    public string Seal(string statement) => $"{_current.Id}.{Convert.ToHexStringLower(HMACSHA256.HashData(_current.Bytes, Encoding.UTF8.GetBytes(statement)))}";

    /// <summary>True when <paramref name="seal"/> was made over <paramref name="statement"/> with the current key or an accepted one.</summary>
    public bool Holds(string? seal, string statement)
    {
        var dot = seal?.IndexOf('.') ?? -1;
        if (dot < 0 || !_known.TryGetValue(seal![..dot], out var key))
        {
            return false;
        }
        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var hex = seal.AsSpan(dot + 1);
        return hex.Length == given.Length * 2 && Convert.FromHexString(hex, given, out _, out _) == OperationStatus.Done
            && CryptographicOperations.FixedTimeEquals(given, HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(statement)));
    }

    /// <summary>The id of the key that made <paramref name="seal"/>, when this node has that key; null otherwise.</summary>
    public string? KnownKeyOf(string? seal) =>
        seal?.IndexOf('.') is > 0 and var dot && _known.ContainsKey(seal[..dot]) ? seal[..dot] : null;

    public string SealHead(long sequence, string lastHash) => Seal(HeadStatement(sequence, lastHash));

    public bool HoldsHead(LedgerHeadRow head) => Holds(head.Seal, HeadStatement(head.Sequence, head.LastHash));

    public bool HoldsCheckpoint(LedgerCheckpointRow checkpoint) => Holds(checkpoint.Seal, CheckpointStatement(checkpoint));

    public bool HoldsProgress(LedgerVerificationRow job) => Holds(job.Seal, ProgressStatement(job));

    public bool HoldsArchive(LedgerArchiveRow archive) => Holds(archive.Seal, ArchiveStatement(archive));

    /// <summary>Names a key without giving it away, so a seal says which key made it.</summary>
    private static string IdOf(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key))[..8];

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The configured keys, or (in Development only) one generated once and kept in the data directory, like the token key.</summary>
    public static LedgerSeal Resolve(FinsoftOptions options, IHostEnvironment environment)
    {
        var accepted = options.Ledger.AcceptedSealKeys.Select(k => KeyBytes(k, "Finsoft:Ledger:AcceptedSealKeys")).ToList();
        if (!string.IsNullOrEmpty(options.Ledger.SealKey))
        {
            return new LedgerSeal(KeyBytes(options.Ledger.SealKey, "Finsoft:Ledger:SealKey"), accepted);
        }
        if (!environment.IsDevelopment())
        {
            throw new StartupException("Finsoft:Ledger:SealKey is required outside Development (set Finsoft__Ledger__SealKey to at least 32 random bytes, " +
                                       "kept apart from the database: it is what proves the journal was not rewritten).");
        }
        return new LedgerSeal(Convert.FromBase64String(DevelopmentSecrets.ReadOrCreate(options.DataDirectory, "dev-ledger-seal.key")), accepted);
    }

    private static byte[] KeyBytes(string configured, string setting)
    {
        var bytes = Encoding.UTF8.GetBytes(configured);
        return bytes.Length >= 32 ? bytes : throw new StartupException($"{setting}: each key must be at least 32 bytes.");
    }
}
