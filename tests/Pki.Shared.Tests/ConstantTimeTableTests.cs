using Pki.Shared.Arithmetic;

namespace Pki.Tests.SharedSource;

/// <summary>The constant-time table lookup behind the fixed-window and comb scalar multiplications.</summary>
public class ConstantTimeTableTests
{
    [Theory]
    [InlineData(8, 20)]  // edwards25519 points: four field elements of five words (vector path)
    [InlineData(16, 8)]  // P-256 affine points: two elements of four words (vector path)
    [InlineData(5, 15)]  // a row length no vector divides (word-by-word path)
    [InlineData(1, 3)]
    public void Select_copies_exactly_the_indexed_row(int rows, int rowLength)
    {
        var random = new Random((rows * 31) + rowLength);
        var table = new ulong[rows * rowLength];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
        }

        for (var index = 0; index < rows; index++)
        {
            var destination = new ulong[rowLength];
            Array.Fill(destination, 0xA5A5A5A5A5A5A5A5UL);
            ConstantTimeTable.Select(table, (uint)index, destination);
            Assert.Equal(table.AsSpan(index * rowLength, rowLength).ToArray(), destination);
        }
    }

    [Theory]
    [InlineData(8, 20, uint.MaxValue)] // how the signed-digit lookups ask for "no row" (digit 0)
    [InlineData(8, 20, 8u)]
    [InlineData(5, 15, 5u)]
    public void Select_leaves_the_destination_when_the_index_names_no_row(int rows, int rowLength, uint index)
    {
        var table = Enumerable.Range(1, rows * rowLength).Select(i => (ulong)i).ToArray();
        var destination = Enumerable.Repeat(42UL, rowLength).ToArray();
        ConstantTimeTable.Select(table, index, destination);
        Assert.All(destination, word => Assert.Equal(42UL, word));
    }
}
