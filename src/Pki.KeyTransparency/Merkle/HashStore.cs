namespace Pki.KeyTransparency.Merkle;

/// <summary>
/// An append-only array of fixed-size hashes kept in chunks, so that growing never copies more than
/// one chunk and a large log never needs one huge array. Chunks hold an even number of hashes, so
/// sibling pairs (2j, 2j+1) never straddle two chunks.
/// </summary>
internal sealed class HashStore
{
    private const int ChunkShift = 15;
    private const int ChunkHashes = 1 << ChunkShift;
    private const int FirstCapacity = 16;
    private readonly int _hashSize;
    private readonly List<byte[]> _chunks = [];

    public HashStore(int hashSize) => _hashSize = hashSize;

    public long Count { get; private set; }

    /// <summary>Bytes held by the chunks (for the memory budget of large logs).</summary>
    public long AllocatedBytes => _chunks.Sum(chunk => (long)chunk.Length);

    public ReadOnlySpan<byte> this[long index] =>
        _chunks[(int)(index >> ChunkShift)].AsSpan((int)(index & (ChunkHashes - 1)) * _hashSize, _hashSize);

    /// <summary>
    /// <paramref name="count"/> consecutive hashes starting at <paramref name="start"/>; the range must
    /// lie within one chunk (see <see cref="ContiguousFrom"/>).
    /// </summary>
    public ReadOnlySpan<byte> Range(long start, int count) =>
        _chunks[(int)(start >> ChunkShift)].AsSpan((int)(start & (ChunkHashes - 1)) * _hashSize, count * _hashSize);

    /// <summary>How many hashes from <paramref name="start"/> lie in the same chunk.</summary>
    public static int ContiguousFrom(long start) => ChunkHashes - (int)(start & (ChunkHashes - 1));

    public void Add(ReadOnlySpan<byte> hash)
    {
        var span = Reserve(1, out _);
        hash.CopyTo(span);
        Count++;
    }

    /// <summary>
    /// Space for up to <paramref name="max"/> new hashes at the end, within the current chunk. Write
    /// them, then call <see cref="Commit"/> with how many were written.
    /// </summary>
    public Span<byte> Reserve(int max, out int reserved)
    {
        var offset = (int)(Count & (ChunkHashes - 1));
        var chunkIndex = (int)(Count >> ChunkShift);
        if (chunkIndex == _chunks.Count)
        {
            _chunks.Add(new byte[Math.Min(ChunkHashes, Math.Max(FirstCapacity, max)) * _hashSize]);
        }

        reserved = Math.Min(max, ChunkHashes - offset);
        var chunk = _chunks[chunkIndex];
        var needed = (offset + reserved) * _hashSize;
        if (chunk.Length < needed)
        {
            var capacity = chunk.Length;
            while (capacity < needed)
            {
                capacity *= 2;
            }

            Array.Resize(ref chunk, Math.Min(capacity, ChunkHashes * _hashSize));
            _chunks[chunkIndex] = chunk;
        }

        return chunk.AsSpan(offset * _hashSize, reserved * _hashSize);
    }

    public void Commit(int count) => Count += count;
}
