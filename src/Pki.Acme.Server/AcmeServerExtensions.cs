using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pki.Acme.Server;
using Pki.Acme.Server.Protocol;
using Pki.Acme.Server.Storage;

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>Registers the embedded ACME server.</summary>
    public static class AcmeServerServiceCollectionExtensions
    {
        /// <summary>
        /// Adds the ACME server: the protocol, the SQLite store, the validation queue, the embedded CA
        /// (<see cref="AcmeServerOptions.Ca"/>), the http-01/dns-01/tls-alpn-01 validators and the CAA check
        /// (<see cref="AcmeServerOptions.Validation"/>). Options are validated at start-up.
        /// </summary>
        public static IServiceCollection AddAcmeServer(this IServiceCollection services, Action<AcmeServerOptions>? configure = null)
        {
            ArgumentNullException.ThrowIfNull(services);
            var options = services.AddOptions<AcmeServerOptions>();
            if (configure is not null)
            {
                options.Configure(configure);
            }

            options.ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AcmeServerOptions>, AcmeServerOptionsValidator>());
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton<IAcmeServerStore>(sp =>
            {
                var o = sp.GetRequiredService<IOptions<AcmeServerOptions>>().Value;
                return new SqliteAcmeServerStore(o.DatabasePath, o.SqliteSyncEveryCommit);
            });
            services.TryAddSingleton<IAcmeRevocationSource>(sp => sp.GetRequiredService<IAcmeServerStore>());
            services.TryAddSingleton<AcmeValidationQueue>();
            services.TryAddSingleton(sp => new AcmeServerMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
            services.TryAddSingleton<AcmeProtocolHandler>();
            services.TryAddSingleton<IAcmeServerOperations, AcmeServerOperations>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AcmeValidationService>());
            AcmeServerComponents.Register(services);
            return services;
        }
    }
}

namespace Microsoft.AspNetCore.Builder
{
    /// <summary>Maps the embedded ACME server's endpoints.</summary>
    public static class AcmeServerEndpointRouteBuilderExtensions
    {
        /// <summary>
        /// Maps the RFC 8555 endpoints under <paramref name="prefix"/>: <c>directory</c>, <c>new-nonce</c>, <c>new-account</c>,
        /// <c>acct/{id}</c>, <c>acct/{id}/orders</c>, <c>key-change</c>, <c>new-order</c>, <c>order/{id}</c>, <c>order/{id}/finalize</c>, <c>authz/{id}</c>,
        /// <c>chall/{id}</c>, <c>cert/{id}</c>, <c>cert/{id}/{n}</c>, <c>revoke-cert</c> and <c>renewal-info/{certId}</c> (RFC 9773).
        /// </summary>
        /// <exception cref="InvalidOperationException"><c>AddAcmeServer</c> was not called, or no certificate issuer backend is registered.</exception>
        public static RouteGroupBuilder MapAcmeServer(this IEndpointRouteBuilder endpoints, string prefix = "/acme")
        {
            ArgumentNullException.ThrowIfNull(endpoints);
            ArgumentNullException.ThrowIfNull(prefix);
            if (endpoints.ServiceProvider.GetService<IAcmeServerStore>() is null)
            {
                throw new InvalidOperationException("MapAcmeServer needs services.AddAcmeServer(...) first.");
            }

            prefix = "/" + prefix.Trim('/');
            if (prefix == "/")
            {
                prefix = string.Empty;
            }

            endpoints.ServiceProvider.GetService<AcmeServerMount>()?.Set(prefix);
            var backend = endpoints.ServiceProvider.GetService<IAcmeCertificateIssuerBackend>()
                ?? throw new InvalidOperationException("MapAcmeServer needs a certificate issuer: register the embedded CA (IAcmeCertificateIssuerBackend) before mapping the ACME endpoints.");

            var handler = endpoints.ServiceProvider.GetRequiredService<AcmeProtocolHandler>();
            var group = endpoints.MapGroup(prefix);
            Task Run(HttpContext context, Func<AcmeProtocolHandler.Endpoint, Task> action) => handler.RunAsync(context, prefix, action);

            group.MapGet("/directory", context => Run(context, handler.DirectoryAsync));
            group.MapMethods("/new-nonce", [HttpMethods.Head, HttpMethods.Get], context => Run(context, AcmeProtocolHandler.NewNonceAsync));
            group.MapPost("/new-account", context => Run(context, handler.NewAccountAsync));
            group.MapPost("/acct/{id}", context => Run(context, e => handler.AccountAsync(e, Route(context, "id"))));
            group.MapPost("/acct/{id}/orders", context => Run(context, e => handler.AccountOrdersAsync(e, Route(context, "id"))));
            group.MapPost("/key-change", context => Run(context, handler.KeyChangeAsync));
            group.MapPost("/new-order", context => Run(context, handler.NewOrderAsync));
            group.MapPost("/order/{id}", context => Run(context, e => handler.OrderAsync(e, Route(context, "id"))));
            group.MapPost("/order/{id}/finalize", context => Run(context, e => handler.FinalizeAsync(e, Route(context, "id"))));
            group.MapPost("/authz/{id}", context => Run(context, e => handler.AuthorizationAsync(e, Route(context, "id"))));
            group.MapPost("/chall/{id}", context => Run(context, e => handler.ChallengeAsync(e, Route(context, "id"))));
            group.MapPost("/cert/{id}", context => Run(context, e => handler.CertificateAsync(e, Route(context, "id"), 0)));
            group.MapPost("/cert/{id}/{n:int}", context => Run(context, e => handler.CertificateAsync(e, Route(context, "id"), int.Parse(Route(context, "n"), System.Globalization.CultureInfo.InvariantCulture))));
            group.MapPost("/revoke-cert", context => Run(context, handler.RevokeCertificateAsync));
            group.MapGet("/renewal-info/{certId}", context => Run(context, e => handler.RenewalInfoAsync(e, Route(context, "certId"))));
            if (backend is EmbeddedCa ca)
            {
                group.MapEmbeddedCa(ca);
            }

            return group;
        }

        private static string Route(HttpContext context, string name) => (string)context.GetRouteValue(name)!;
    }
}
