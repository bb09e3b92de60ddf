namespace Pki.Acme.Management.Tests;

public sealed class OptionsAndClassifierTests
{
    private static AcmeIssuerOptions Issuer(Action<AcmeIssuerOptions>? configure = null)
    {
        var options = new AcmeIssuerOptions { Name = "ca", DirectoryUri = new Uri("https://ca.example/dir") };
        configure?.Invoke(options);
        return options;
    }

    [Theory]
    [InlineData("", "The issuer name '' is invalid: use 1-128 letters, digits, '.', '-' or '_', not starting with '.' or '-'.")]
    [InlineData("a/b", "The issuer name 'a/b' is invalid: use 1-128 letters, digits, '.', '-' or '_', not starting with '.' or '-'.")]
    public void Bad_issuer_names_are_refused(string name, string message) =>
        Assert.Equal(message, Assert.Throws<AcmeManagementConfigurationException>(() => Issuer(o => o.Name = name).Validate()).Message);

    [Fact]
    public void Issuer_directory_must_be_absolute_https()
    {
        Assert.Equal("Issuer 'ca': DirectoryUri is required and must be an absolute URL.", Assert.Throws<AcmeManagementConfigurationException>(() => Issuer(o => o.DirectoryUri = null).Validate()).Message);
        Assert.Equal("Issuer 'ca': DirectoryUri 'http://ca.example/dir' must use https.", Assert.Throws<AcmeManagementConfigurationException>(() => Issuer(o => o.DirectoryUri = new Uri("http://ca.example/dir")).Validate()).Message);
        Issuer(o => { o.DirectoryUri = new Uri("http://ca.example/dir"); o.AllowInsecureHttp = true; }).Validate();
    }

    [Fact]
    public void EAB_needs_both_halves_and_a_valid_key_and_the_key_never_appears_in_messages()
    {
        Assert.Equal("Issuer 'ca': External Account Binding needs both EabKeyId and EabMacKey.", Assert.Throws<AcmeManagementConfigurationException>(() => Issuer(o => o.EabKeyId = "kid").Validate()).Message);
        const string notBase64 = "s3cr3t!!not*base64";
        var ex = Assert.Throws<AcmeManagementConfigurationException>(() => Issuer(o => { o.EabKeyId = "kid"; o.EabMacKey = notBase64; }).Validate());
        Assert.DoesNotContain(notBase64, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("Issuer 'ca': ", ex.Message, StringComparison.Ordinal);
        const string mac = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
        var options = Issuer(o => { o.EabKeyId = "kid"; o.EabMacKey = mac; });
        options.Validate();
        Assert.DoesNotContain(mac, options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Pool_options_are_checked()
    {
        Assert.Equal(
            "AcmeIssuerPoolOptions.InitialBackoff (00:00:00) must be positive and not above MaxBackoff (01:00:00).",
            Assert.Throws<AcmeManagementConfigurationException>(() => new AcmeIssuerPoolOptions { InitialBackoff = TimeSpan.Zero }.Validate()).Message);
        Assert.Equal(
            "AcmeIssuerPoolOptions.Policy 9 is not a selection policy.",
            Assert.Throws<AcmeManagementConfigurationException>(() => new AcmeIssuerPoolOptions { Policy = (IssuerSelectionPolicy)9 }.Validate()).Message);
    }

    [Fact]
    public void Manager_options_are_checked()
    {
        var empty = new CertificateManagerOptions();
        Assert.Equal("CertificateManagerOptions.Certificates is empty: add at least one certificate to manage.", Assert.Throws<AcmeManagementConfigurationException>(empty.Validate).Message);

        var noNames = new CertificateManagerOptions();
        noNames.Certificates.Add(new ManagedCertificateOptions { Name = "www" });
        Assert.Equal("Certificate 'www' has no identifiers: add at least one DNS name or IP address.", Assert.Throws<AcmeManagementConfigurationException>(noNames.Validate).Message);

        var badName = new CertificateManagerOptions();
        badName.Certificates.Add(new ManagedCertificateOptions { Name = "www", Identifiers = { "bad name!" } });
        Assert.StartsWith("Certificate 'www': the identifier 'bad name!' is not a DNS name or IP address:", Assert.Throws<AcmeManagementConfigurationException>(badName.Validate).Message, StringComparison.Ordinal);

        var duplicate = new CertificateManagerOptions();
        duplicate.Certificates.Add(new ManagedCertificateOptions { Name = "www", Identifiers = { "a.example" } });
        duplicate.Certificates.Add(new ManagedCertificateOptions { Name = "WWW", Identifiers = { "b.example" } });
        Assert.Equal("The certificate name 'www' is used 2 times; names must be unique.", Assert.Throws<AcmeManagementConfigurationException>(duplicate.Validate).Message);

        var lease = new CertificateManagerOptions { LeaseDuration = TimeSpan.FromSeconds(1), LeasePollInterval = TimeSpan.FromSeconds(2) };
        lease.Certificates.Add(new ManagedCertificateOptions { Name = "www", Identifiers = { "a.example" } });
        Assert.Equal("CertificateManagerOptions.LeasePollInterval (00:00:02) must be positive and below LeaseDuration (00:00:01).", Assert.Throws<AcmeManagementConfigurationException>(lease.Validate).Message);

        CertificateManagerOptions With(Action<CertificateManagerOptions> change)
        {
            var options = new CertificateManagerOptions();
            options.Certificates.Add(new ManagedCertificateOptions { Name = "www", Identifiers = { "a.example" } });
            change(options);
            return options;
        }

        Assert.Equal("CertificateManagerOptions.MinAttemptInterval (00:00:00) must be positive and not above MaxAttemptBackoff (1.00:00:00).", Assert.Throws<AcmeManagementConfigurationException>(With(o => o.MinAttemptInterval = TimeSpan.Zero).Validate).Message);
        Assert.Equal("CertificateManagerOptions.MinAttemptInterval (00:01:00) must be positive and not above MaxAttemptBackoff (00:00:30).", Assert.Throws<AcmeManagementConfigurationException>(With(o => o.MaxAttemptBackoff = TimeSpan.FromSeconds(30)).Validate).Message);
        Assert.Equal("CertificateManagerOptions.MaxConcurrentRenewals must be between 1 and 1024; it is 0.", Assert.Throws<AcmeManagementConfigurationException>(With(o => o.MaxConcurrentRenewals = 0).Validate).Message);
        Assert.Equal("CertificateManagerOptions.MaxCheckInterval, StorePollInterval and IssuanceTimeout must be positive.", Assert.Throws<AcmeManagementConfigurationException>(With(o => o.IssuanceTimeout = TimeSpan.Zero).Validate).Message);
        Assert.Equal("AcmeIssuerPoolOptions.AttemptTimeout (-00:00:01) must be positive.", Assert.Throws<AcmeManagementConfigurationException>(new AcmeIssuerPoolOptions { AttemptTimeout = TimeSpan.FromSeconds(-1) }.Validate).Message);
    }

    [Fact]
    public void Pools_need_issuers_with_unique_names_and_managers_need_solvers()
    {
        using var dir = new TempDirectory();
        var store = new FileSystemCertificateStore(dir.Path);
        Assert.Equal("An issuer pool needs at least one ACME CA.", Assert.Throws<AcmeManagementConfigurationException>(() => new AcmeIssuerPool([], store)).Message);
        using var http = new HttpClient();
        AcmeIssuer Make() => new(Issuer(), new AcmeClient(http, new AcmeClientOptions { DirectoryUri = new Uri("https://ca.example/dir") }));
        Assert.Equal("The issuer name 'ca' is used 2 times; names must be unique.", Assert.Throws<AcmeManagementConfigurationException>(() => new AcmeIssuerPool([Make(), Make()], store)).Message);
        Assert.Equal(
            "Issuer 'ca': the AcmeClient talks to https://other.example/dir, not to https://ca.example/dir.",
            Assert.Throws<AcmeManagementConfigurationException>(() => new AcmeIssuer(Issuer(), new AcmeClient(http, new AcmeClientOptions { DirectoryUri = new Uri("https://other.example/dir") }))).Message);

        var options = new CertificateManagerOptions();
        options.Certificates.Add(new ManagedCertificateOptions { Name = "www", Identifiers = { "a.example" } });
        Assert.Equal(
            "A certificate manager needs at least one challenge solver (http-01, tls-alpn-01 or dns-01).",
            Assert.Throws<AcmeManagementConfigurationException>(() => new CertificateManager(new AcmeIssuerPool([Make()], store), store, [], options)).Message);
    }

    [Fact]
    public async Task Pool_requests_without_identifiers_or_key_are_refused()
    {
        using var dir = new TempDirectory();
        using var http = new HttpClient();
        var pool = new AcmeIssuerPool([new AcmeIssuer(Issuer(), new AcmeClient(http, new AcmeClientOptions { DirectoryUri = new Uri("https://ca.example/dir") }))], new FileSystemCertificateStore(dir.Path));
        var solver = new Http01ChallengeSolver(new InMemoryHttp01TokenStore());
        Assert.Equal(
            "PoolIssuanceRequest.Identifiers is empty: give at least one name.",
            (await Assert.ThrowsAsync<AcmeManagementConfigurationException>(() => pool.IssueAsync(new PoolIssuanceRequest(), [solver]))).Message);
        Assert.Equal(
            "PoolIssuanceRequest.CertificateKey is required: the caller keeps the key so that a crash orphans nothing.",
            (await Assert.ThrowsAsync<AcmeManagementConfigurationException>(() => pool.IssueAsync(new PoolIssuanceRequest { Identifiers = [AcmeIdentifier.Dns("a.example")] }, [solver]))).Message);
    }

    private const AcmeFailureDisposition Next = AcmeFailureDisposition.TryNextIssuer;
    private const AcmeFailureDisposition Stop = AcmeFailureDisposition.Stop;
    private const AcmeFailureDisposition OneMore = AcmeFailureDisposition.TryOneMoreIssuer;

    /// <summary>Every RFC 8555 section 6.7 error type (plus RFC 9773's and the profiles draft's), as the CA would send it, and with HTTP 5xx.</summary>
    [Theory]
    [InlineData("accountDoesNotExist", 400, Next)]
    [InlineData("agreementRequired", 403, Stop)]
    [InlineData("alreadyReplaced", 409, Next)]
    [InlineData("alreadyRevoked", 400, Stop)]
    [InlineData("badCSR", 400, Stop)]
    [InlineData("badNonce", 400, Next)]
    [InlineData("badPublicKey", 400, Next)]
    [InlineData("badRevocationReason", 400, Stop)]
    [InlineData("badSignatureAlgorithm", 400, Next)]
    [InlineData("caa", 403, Next)]
    [InlineData("connection", 400, OneMore)]
    [InlineData("dns", 400, OneMore)]
    [InlineData("externalAccountRequired", 403, Next)]
    [InlineData("incorrectResponse", 403, OneMore)]
    [InlineData("invalidContact", 400, Next)]
    [InlineData("invalidProfile", 400, Next)]
    [InlineData("malformed", 400, OneMore)]
    [InlineData("orderNotReady", 403, Next)]
    [InlineData("rateLimited", 429, Next)]
    [InlineData("rejectedIdentifier", 400, Next)]
    [InlineData("serverInternal", 500, Next)]
    [InlineData("tls", 400, OneMore)]
    [InlineData("unauthorized", 403, OneMore)]
    [InlineData("unsupportedContact", 400, Next)]
    [InlineData("unsupportedIdentifier", 400, Next)]
    [InlineData("userActionRequired", 403, Next)]
    [InlineData("badCSR", 500, Next)]
    [InlineData("malformed", 503, Next)]
    [InlineData("dns", 502, Next)]
    public void Every_RFC_8555_problem_type_is_classified(string type, int status, AcmeFailureDisposition expected)
    {
        var problem = new AcmeProblem { Type = "urn:ietf:params:acme:error:" + type };
        var classification = AcmeFailureClassifier.Explain(new AcmeProblemException(problem, new Uri("https://ca.example/x"), (System.Net.HttpStatusCode)status, null));
        Assert.Equal(expected, classification.Disposition);
        Assert.Equal("problem:" + type, classification.Reason);

        // The same problem as an order's or a challenge's error (no HTTP status) is classified alike, 5xx aside.
        if (status < 500)
        {
            Assert.Equal(expected, AcmeFailureClassifier.Classify(new AcmeOrderException("order invalid", null, problem)));
        }
    }

    [Fact]
    public void Transport_failures_timeouts_and_other_errors_are_classified()
    {
        var uri = new Uri("https://ca.example/x");
        (Exception Failure, AcmeFailureDisposition Expected, string Reason)[] rows =
        [
            (new HttpRequestException("refused"), Next, "transport"),
            (new System.Net.Sockets.SocketException(111), Next, "transport"),
            (new IOException("reset"), Next, "transport"),
            (new AcmeException("ACME request failed", new HttpRequestException("refused")), Next, "transport"),
            (new TaskCanceledException("timeout"), Next, "timeout"),
            (new AcmeTransportException(AcmeTransportFailureKind.Timeout, uri, "stalled body"), Next, "timeout"),
            (new AcmeTransportException(AcmeTransportFailureKind.ConnectionFailed, uri, "refused"), Next, "transport"),
            (new AcmeTransportException(AcmeTransportFailureKind.TlsFailed, uri, "untrusted root"), Next, "transport"),
            (new TimeoutException("attempt deadline"), Next, "timeout"),
            (new AcmeProtocolException(AcmeProtocolError.MalformedJson, uri, "bad json"), Next, "protocol"),
            (new AcmeProtocolException(AcmeProtocolError.ResponseTooLarge, uri, "too large"), Next, "protocol"),
            (new AcmeProblemException(new AcmeProblem { Type = "about:blank" }, uri, System.Net.HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(5)), Next, "problem:other"),
            (new AcmeProblemException(new AcmeProblem { Type = "urn:example:unknown" }, uri, (System.Net.HttpStatusCode)418, null), Next, "problem:other"),
            (new AcmeCertificateMismatchException(AcmeCertificateMismatchReason.IdentifiersMismatch, 0, "a.example, b.example", "a.example", uri, "The leaf lacks b.example"), Next, "certificateMismatch"),
            (new AcmeProtocolException(AcmeProtocolError.UnexpectedIdentifier, uri, "authorization for c.example, which was not ordered"), Next, "protocol"),
            (new AcmeOrderException("https://ca.example/authz was still 'pending' after polling for 300 s (PollTimeout).", uri, problem: null), OneMore, "order"),
            (new AcmeConfigurationException("bad key"), Stop, "configuration"),
            (new AcmeManagementConfigurationException("bad option"), Stop, "configuration"),
            (new CertificateStoreException("disk full"), Stop, "store"),
            (new CertificateLeaseLostException("www", 7), Stop, "store"),
            (new System.Security.Cryptography.CryptographicException("bad key"), Stop, "error:CryptographicException"),
            (new InvalidOperationException("bug"), Stop, "error:InvalidOperationException"),
        ];
        foreach (var (failure, expected, reason) in rows)
        {
            var classification = AcmeFailureClassifier.Explain(failure);
            Assert.True(expected == classification.Disposition && reason == classification.Reason, $"{failure.GetType().Name} '{failure.Message}': {classification}");
        }
    }

    [Fact]
    public void Compound_problems_follow_their_subproblems()
    {
        AcmeProblem Compound(params string[] types) => new() { Type = AcmeProblemTypes.Compound, Subproblems = [.. types.Select(t => new AcmeProblem { Type = "urn:ietf:params:acme:error:" + t })] };
        Assert.Equal(Next, AcmeFailureClassifier.ClassifyProblem(Compound("malformed", "caa"), 403));
        Assert.Equal(OneMore, AcmeFailureClassifier.ClassifyProblem(Compound("dns", "badCSR"), 400));
        Assert.Equal(Stop, AcmeFailureClassifier.ClassifyProblem(Compound("badCSR"), 400));
        Assert.Equal(Next, AcmeFailureClassifier.ClassifyProblem(Compound(), 400));
    }
}
