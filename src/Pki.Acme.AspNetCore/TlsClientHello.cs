using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Pki.Acme.AspNetCore;

/// <summary>
/// Reads the ALPN protocols a client offers from its first TLS record, before the handshake, so the
/// handshake callback consults the shared store for a tls-alpn-01 challenge only for clients that
/// offer <c>acme-tls/1</c> (ACME servers), not on every connection. Wire format (RFC 8446
/// section 5.1 and 4.1.2, RFC 7301 section 3.1):
/// <code>
/// TLSPlaintext:  type(1)=22 handshake | legacy_record_version(2) | length(2) | fragment
/// Handshake:     msg_type(1)=1 client_hello | length(3) | ClientHello
/// ClientHello:   legacy_version(2) | random(32) | legacy_session_id&lt;0..32&gt; (1-byte length)
///                | cipher_suites&lt;2..2^16-2&gt; (2-byte length) | legacy_compression_methods&lt;1..2^8-1&gt; (1-byte length)
///                | extensions&lt;8..2^16-1&gt; (2-byte length): type(2) | length(2) | data
/// ALPN (type 16): ProtocolNameList: length(2) | ( length(1) | name )+
/// </code>
/// </summary>
internal static class TlsClientHello
{
    /// <summary>The record header: type, version, length.</summary>
    public const int RecordHeaderLength = 5;

    /// <summary>The longest record accepted (RFC 8446 section 5.2: 2^14 + 256 for any TLS version's ciphertext; a ClientHello is plaintext, 2^14).</summary>
    public const int MaxRecordLength = RecordHeaderLength + (1 << 14) + 256;

    private const byte HandshakeRecord = 22;
    private const byte ClientHelloMessage = 1;
    private const ushort AlpnExtension = 16;
    private const ushort ServerNameExtension = 0;
    private const byte HostNameType = 0;

    /// <summary>
    /// How many bytes the first record takes (header included), or 0 when <paramref name="header"/>
    /// (at least <see cref="RecordHeaderLength"/> bytes) does not start a TLS handshake record of an
    /// acceptable length.
    /// </summary>
    public static int RecordLength(ReadOnlySpan<byte> header)
    {
        if (header.Length < RecordHeaderLength || header[0] != HandshakeRecord)
        {
            return 0;
        }

        var total = RecordHeaderLength + ((header[3] << 8) | header[4]);
        return total is > RecordHeaderLength and <= MaxRecordLength ? total : 0;
    }

    /// <summary>
    /// Whether the ClientHello in <paramref name="record"/> (one whole record, header included)
    /// offers <paramref name="protocol"/> by ALPN: true or false, or null when the record cannot
    /// tell (not a ClientHello, malformed, or a ClientHello continued in a further record).
    /// </summary>
    public static bool? OffersProtocol(ReadOnlySpan<byte> record, ReadOnlySpan<byte> protocol) =>
        TryRead(record, protocol, out var offers, out _) ? offers : null;

    /// <summary>
    /// Reads the ClientHello in <paramref name="record"/> (one whole record, header included): whether
    /// it offers <paramref name="protocol"/> by ALPN, and the host name it asks for by SNI (RFC 6066
    /// section 3: <c>server_name_list&lt;1..2^16-1&gt;</c> of <c>name_type(1)=0 host_name | HostName&lt;1..2^16-1&gt;</c>),
    /// null without SNI. False when the record cannot tell (not a ClientHello, malformed, or continued in a further record).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> record, ReadOnlySpan<byte> protocol, out bool offersProtocol, out string? serverName)
    {
        offersProtocol = false;
        serverName = null;
        var total = RecordLength(record);
        if (total == 0 || record.Length < total)
        {
            return false;
        }

        var fragment = record[RecordHeaderLength..total];
        if (fragment.Length < 4 || fragment[0] != ClientHelloMessage)
        {
            return false;
        }

        var length = (fragment[1] << 16) | (fragment[2] << 8) | fragment[3];
        if (length > fragment.Length - 4)
        {
            return false; // continued in the next record
        }

        var hello = new Reader(fragment.Slice(4, length));
        if (!hello.Skip(2 + 32) || !hello.SkipVector(1) || !hello.SkipVector(2) || !hello.SkipVector(1))
        {
            return false;
        }

        if (hello.Remaining == 0)
        {
            return true; // no extensions
        }

        if (!hello.TryVector(2, out var extensions) || hello.Remaining != 0)
        {
            return false;
        }

        var reader = new Reader(extensions);
        while (reader.Remaining > 0)
        {
            if (!reader.TryUInt16(out var type) || !reader.TryVector(2, out var data))
            {
                return false;
            }

            if (type == AlpnExtension)
            {
                if (ListContains(data, protocol) is not { } offers)
                {
                    return false;
                }

                offersProtocol = offers;
            }
            else if (type == ServerNameExtension)
            {
                if (!TryReadHostName(data, out serverName))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Looks at the client's first TLS record without consuming it (the TLS handshake reads it
    /// next), waiting at most until <paramref name="cancellationToken"/>: true or false when the
    /// ClientHello does or does not offer <paramref name="protocol"/>, null when that cannot be told.
    /// </summary>
    public static async Task<bool?> PeekOffersProtocolAsync(PipeReader input, ReadOnlyMemory<byte> protocol, CancellationToken cancellationToken) =>
        (await PeekAsync(input, protocol, cancellationToken).ConfigureAwait(false)).OffersAcmeTls1;

    /// <summary>
    /// Looks at the client's first TLS record without consuming it, waiting at most until
    /// <paramref name="cancellationToken"/>: whether the ClientHello offers <paramref name="protocol"/>
    /// and the SNI host name, or <see cref="AcmeTlsClientHelloFeature.Unknown"/> when the record cannot tell.
    /// </summary>
    public static async Task<AcmeTlsClientHelloFeature> PeekAsync(PipeReader input, ReadOnlyMemory<byte> protocol, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionAbortedException)
            {
                return AcmeTlsClientHelloFeature.Unknown; // the handshake that follows meets the same stall or failure and reports it
            }

            var buffer = result.Buffer;
            var (decided, hello) = Read(buffer, protocol.Span);
            if (decided || result.IsCompleted || result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start);
                return hello;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Whether <paramref name="buffer"/> holds enough to decide, and the verdict of <see cref="OffersProtocol"/> when it does.</summary>
    internal static (bool Decided, bool? Verdict) Inspect(in ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> protocol)
    {
        var (decided, hello) = Read(buffer, protocol);
        return (decided, hello.OffersAcmeTls1);
    }

    /// <summary>Whether <paramref name="buffer"/> holds enough to decide, and what <see cref="TryRead"/> found when it does.</summary>
    internal static (bool Decided, AcmeTlsClientHelloFeature Hello) Read(in ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> protocol)
    {
        if (buffer.Length < RecordHeaderLength)
        {
            return (false, AcmeTlsClientHelloFeature.Unknown);
        }

        Span<byte> header = stackalloc byte[RecordHeaderLength];
        buffer.Slice(0, RecordHeaderLength).CopyTo(header);
        var total = RecordLength(header);
        if (total == 0)
        {
            return (true, AcmeTlsClientHelloFeature.Unknown); // not TLS, or an absurd length: the handshake fails on its own
        }

        if (buffer.Length < total)
        {
            return (false, AcmeTlsClientHelloFeature.Unknown);
        }

        return (true, TryRead(buffer.Slice(0, total).ToArray(), protocol, out var offers, out var serverName)
            ? new AcmeTlsClientHelloFeature(offers, serverName)
            : AcmeTlsClientHelloFeature.Unknown);
    }

    private static bool TryReadHostName(ReadOnlySpan<byte> data, out string? hostName)
    {
        hostName = null;
        var reader = new Reader(data);
        if (!reader.TryVector(2, out var list) || reader.Remaining != 0 || list.IsEmpty)
        {
            return false;
        }

        var names = new Reader(list);
        while (names.Remaining > 0)
        {
            if (!names.TryByte(out var type) || !names.TryVector(2, out var name) || name.IsEmpty)
            {
                return false;
            }

            if (type == HostNameType && hostName is null)
            {
                foreach (var b in name)
                {
                    if (b is <= 0x20 or >= 0x7F)
                    {
                        return false; // HostName is ASCII (RFC 6066 section 3)
                    }
                }

                hostName = System.Text.Encoding.ASCII.GetString(name);
            }
        }

        return true;
    }

    private static bool? ListContains(ReadOnlySpan<byte> data, ReadOnlySpan<byte> protocol)
    {
        var reader = new Reader(data);
        if (!reader.TryVector(2, out var list) || reader.Remaining != 0)
        {
            return null;
        }

        var names = new Reader(list);
        while (names.Remaining > 0)
        {
            if (!names.TryVector(1, out var name))
            {
                return null;
            }

            if (name.SequenceEqual(protocol))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A bounds-checked forward reader over a span.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public readonly int Remaining => _data.Length;

        public bool Skip(int count)
        {
            if (count > _data.Length)
            {
                return false;
            }

            _data = _data[count..];
            return true;
        }

        public bool TryByte(out byte value)
        {
            if (_data.IsEmpty)
            {
                value = 0;
                return false;
            }

            value = _data[0];
            _data = _data[1..];
            return true;
        }

        public bool TryUInt16(out ushort value)
        {
            if (_data.Length < 2)
            {
                value = 0;
                return false;
            }

            value = (ushort)((_data[0] << 8) | _data[1]);
            _data = _data[2..];
            return true;
        }

        public bool SkipVector(int lengthBytes) => TryVector(lengthBytes, out _);

        /// <summary>A vector with a 1- or 2-byte length prefix.</summary>
        public bool TryVector(int lengthBytes, out ReadOnlySpan<byte> vector)
        {
            vector = default;
            if (_data.Length < lengthBytes)
            {
                return false;
            }

            var length = lengthBytes == 1 ? _data[0] : (_data[0] << 8) | _data[1];
            if (length > _data.Length - lengthBytes)
            {
                return false;
            }

            vector = _data.Slice(lengthBytes, length);
            _data = _data[(lengthBytes + length)..];
            return true;
        }
    }
}

/// <summary>What the connection middleware of <c>UseAcmeCertificates</c> learnt from the ClientHello.</summary>
internal sealed class AcmeTlsClientHelloFeature(bool? offersAcmeTls1, string? serverName = null)
{
    /// <summary>A ClientHello that could not be read (not TLS, malformed, split over records, or not sent in time).</summary>
    public static readonly AcmeTlsClientHelloFeature Unknown = new(null);

    /// <summary>True or false when the client does or does not offer <c>acme-tls/1</c>; null when unknown.</summary>
    public bool? OffersAcmeTls1 { get; } = offersAcmeTls1;

    /// <summary>The SNI host name, or null without SNI or when the ClientHello was not read.</summary>
    public string? ServerName { get; } = serverName;

    /// <summary>The tls-alpn-01 validation certificate to present, looked up before the handshake for a client that offers <c>acme-tls/1</c>.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Challenge { get; init; }
}
