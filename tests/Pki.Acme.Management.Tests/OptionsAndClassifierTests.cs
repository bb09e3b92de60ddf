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

    [Theory]
    [InlineData(AcmeProblemTypes.ServerInternal, 500, AcmeFailureDisposition.TryNextIssuer)]
    [InlineData(AcmeProblemTypes.RateLimited, 429, AcmeFailureDisposition.TryNextIssuer)]
    [InlineData(AcmeProblemTypes.Caa, 403, AcmeFailureDisposition.TryNextIssuer)]
    [InlineData(AcmeProblemTypes.UnsupportedIdentifier, 400, AcmeFailureDisposition.TryNextIssuer)]
    [InlineData(AcmeProblemTypes.RejectedIdentifier, 400, AcmeFailureDisposition.TryNextIssuer)]
    [InlineData(AcmeProblemTypes.ExternalAccountRequired, 403, AcmeFailureDisposition.TryNextIssuer)]
    [InlineData("urn:example:unknown", 418, AcmeFailureDisposition.TryNextIssuer)]
    [InlineData(AcmeProblemTypes.Malformed, 400, AcmeFailureDisposition.Stop)]
    [InlineData(AcmeProblemTypes.Malformed, 503, AcmeFailureDisposition.TryNextIssuer)]
    [InlineData(AcmeProblemTypes.BadCsr, 400, AcmeFailureDisposition.Stop)]
    [InlineData(AcmeProblemTypes.InvalidContact, 400, AcmeFailureDisposition.Stop)]
    [InlineData(AcmeProblemTypes.IncorrectResponse, 403, AcmeFailureDisposition.Stop)]
    public void Problems_are_classified(string type, int status, AcmeFailureDisposition expected) =>
        Assert.Equal(expected, AcmeFailureClassifier.Classify(new AcmeProblemException(new AcmeProblem { Type = type }, new Uri("https://ca.example/x"), (System.Net.HttpStatusCode)status, null)));

    [Fact]
    public void Other_failures_are_classified()
    {
        Assert.Equal(AcmeFailureDisposition.TryNextIssuer, AcmeFailureClassifier.Classify(new HttpRequestException("refused")));
        Assert.Equal(AcmeFailureDisposition.TryNextIssuer, AcmeFailureClassifier.Classify(new TaskCanceledException("timeout")));
        Assert.Equal(AcmeFailureDisposition.TryNextIssuer, AcmeFailureClassifier.Classify(new AcmeProtocolException(AcmeProtocolError.MalformedJson, new Uri("https://ca.example/x"), "bad json")));
        Assert.Equal(AcmeFailureDisposition.Stop, AcmeFailureClassifier.Classify(new AcmeConfigurationException("bad key")));
        Assert.Equal(AcmeFailureDisposition.Stop, AcmeFailureClassifier.Classify(new InvalidOperationException("bug")));
        var compound = new AcmeProblem { Type = AcmeProblemTypes.Compound, Subproblems = [new AcmeProblem { Type = AcmeProblemTypes.Malformed }, new AcmeProblem { Type = AcmeProblemTypes.Caa }] };
        Assert.Equal(AcmeFailureDisposition.TryNextIssuer, AcmeFailureClassifier.ClassifyProblem(compound, 403));
        var allBad = new AcmeProblem { Type = AcmeProblemTypes.Compound, Subproblems = [new AcmeProblem { Type = AcmeProblemTypes.Malformed }] };
        Assert.Equal(AcmeFailureDisposition.Stop, AcmeFailureClassifier.ClassifyProblem(allBad, 400));
        Assert.Equal(AcmeFailureDisposition.Stop, AcmeFailureClassifier.Classify(new AcmeOrderException("order invalid", null, new AcmeProblem { Type = AcmeProblemTypes.Unauthorized })));
        Assert.Equal(AcmeFailureDisposition.TryNextIssuer, AcmeFailureClassifier.Classify(new AcmeOrderException("order invalid", null, new AcmeProblem { Type = AcmeProblemTypes.Caa })));
    }
}
