using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Platform.Api.Hosting;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Platform.EndToEnd.Tests.Deploy;

/// <summary>
/// The deploy/ folder (Dockerfile, compose, nginx, Kubernetes) checked against the node's real configuration:
/// every variable a manifest gives a node is a key the node takes, the whole set passes the node's start-up
/// checks, and ports, probes, grace periods, bootstrap endpoints and discovery labels agree with the settings
/// the node ends up with. Nothing is run: no Docker daemon or Kubernetes cluster is needed.
/// </summary>
public sealed partial class DeployManifestTests
{
    /// <summary>What a manifest takes from a Secret or the environment of compose (long enough for every length check).</summary>
    private const string SecretPlaceholder = "0123456789abcdef0123456789abcdef";

    /// <summary>What the downward API gives for <c>status.podIP</c>.</summary>
    private const string PodIpPlaceholder = "10.244.1.7";

    /// <summary>After its clients' drain a node still leaves the cluster and hands its shards over (10 s at most each).</summary>
    private static readonly TimeSpan LeaveMargin = TimeSpan.FromSeconds(10);

    /// <summary>What compose waits after SIGTERM when no stop_grace_period is written.</summary>
    private static readonly TimeSpan ComposeDefaultGrace = TimeSpan.FromSeconds(10);

    /// <summary>What Kubernetes waits when no terminationGracePeriodSeconds is written.</summary>
    private static readonly TimeSpan KubernetesDefaultGrace = TimeSpan.FromSeconds(30);

    private static readonly string Root = FindRoot();
    private static readonly string DeployFolder = Path.Combine(Root, "deploy");
    private static readonly string ComposeFolder = Path.Combine(DeployFolder, "compose");
    private static readonly string KubernetesFolder = Path.Combine(DeployFolder, "kubernetes");

    /// <summary>The node's own sections (environment names must start with one) and Logging.</summary>
    private static readonly HashSet<string> NodeSections = new(
        typeof(PlatformOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name).Append("Logging"),
        StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void Every_file_under_deploy_parses()
    {
        var files = Directory.EnumerateFiles(DeployFolder, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(Path.Combine(ComposeFolder, "compose.yaml"), files);
        Assert.Contains(Path.Combine(KubernetesFolder, "kustomization.yaml"), files);
        foreach (var file in files)
        {
            var documents = ReadYaml(file);
            Assert.True(documents.Count > 0, $"{Relative(file)}: no YAML document");
            if (!file.StartsWith(KubernetesFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var document in documents)
            {
                var resource = Map(document, Relative(file));
                Assert.False(string.IsNullOrEmpty(Text(resource, "apiVersion")), $"{Relative(file)}: a document without apiVersion");
                Assert.False(string.IsNullOrEmpty(Text(resource, "kind")), $"{Relative(file)}: a document without kind");
                if (Text(resource, "kind") != "Kustomization")
                {
                    Assert.False(string.IsNullOrEmpty(Text(Child(resource, "metadata"), "name")), $"{Relative(file)}: a {Text(resource, "kind")} without metadata.name");
                }
            }
        }

        Assert.NotEmpty(ReadCompose().Services);
        Assert.Contains(ReadNginx(), d => d.Name == "stream");
        Assert.Contains(ReadNginx(), d => d.Name == "http");
        Assert.Contains(ReadDockerfile(), i => i.Keyword == "ENTRYPOINT");
    }

    [Fact]
    public void Every_environment_variable_names_a_section_of_the_node()
    {
        var wrong = NodeEnvironments()
            .SelectMany(e => e.Environment.Keys.Where(name => !NodeSections.Contains(name.Split("__")[0])).Select(name => $"{e.Source}: {name}"))
            .ToList();
        Assert.True(wrong.Count == 0,
            $"not settings of the node (the name before the first __ must be one of {string.Join(", ", NodeSections.Order(StringComparer.Ordinal))}): {string.Join("; ", wrong)}");
    }

    [Fact]
    public void The_node_accepts_every_environment_it_is_given()
    {
        var sources = new List<string>();
        foreach (var (source, environment) in NodeEnvironments())
        {
            Bind(source, environment);
            sources.Add(source);
        }

        // The image alone, every compose node and the Kubernetes pods.
        Assert.Equal(5, sources.Count);
    }

    [Fact]
    public void Dockerfile_entrypoint_runs_the_published_node()
    {
        var entrypoint = RuntimeStage().Last(i => i.Keyword == "ENTRYPOINT").Arguments;
        Assert.True(entrypoint.StartsWith('['), $"ENTRYPOINT {entrypoint}: use the exec form so the node is PID 1 and gets SIGTERM");
        Assert.Equal(["dotnet", "Platform.Api.dll"], JsonSerializer.Deserialize<string[]>(entrypoint)!);

        // The published node is where ENTRYPOINT looks for it: `dotnet publish src/Api -o OUT` copied into WORKDIR.
        var publish = ReadDockerfile().Where(i => i.Keyword == "RUN").Select(i => PublishCommand().Match(i.Arguments)).SingleOrDefault(m => m.Success);
        Assert.True(publish is not null, "no RUN dotnet publish src/Api -c Release -o ... in the Dockerfile");
        var workdir = RuntimeStage().Last(i => i.Keyword == "WORKDIR").Arguments;
        var copied = RuntimeStage().Where(i => i.Keyword == "COPY").Select(i => Words(i.Arguments))
            .Any(w => w.Count == 3 && w[0].StartsWith("--from=", StringComparison.Ordinal) && w[1].TrimEnd('/') == publish.Groups["out"].Value.TrimEnd('/')
                && (w[2] is "." or "./" || w[2].TrimEnd('/') == workdir.TrimEnd('/')));
        Assert.True(copied, $"the runtime stage does not copy {publish.Groups["out"].Value} into its WORKDIR {workdir}");
    }

    [Fact]
    public void Readme_gives_the_command_the_image_runs()
    {
        var entrypoint = JsonSerializer.Deserialize<string[]>(RuntimeStage().Last(i => i.Keyword == "ENTRYPOINT").Arguments)!;
        var command = string.Join(' ', entrypoint);
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        Assert.True(readme.Contains(command, StringComparison.Ordinal), $"README.md does not give the published command `{command}` the image runs");
    }

    [Fact]
    public void Dockerfile_exposes_the_configured_ports_runs_unprivileged_and_keeps_data_in_a_volume()
    {
        var options = Bind("Dockerfile", ImageEnvironment());
        var exposed = RuntimeStage().Where(i => i.Keyword == "EXPOSE").SelectMany(i => Words(i.Arguments)).Select(p => int.Parse(p.Split('/')[0], CultureInfo.InvariantCulture));
        Assert.Equal(NodePorts(options).Values.Order(), exposed.Order());

        var user = RuntimeStage().LastOrDefault(i => i.Keyword == "USER")?.Arguments;
        Assert.False(user is null or "root" or "0" || user.StartsWith("root:", StringComparison.Ordinal) || user.StartsWith("0:", StringComparison.Ordinal), $"the image runs as {user ?? "root"}");

        var volumes = RuntimeStage().Where(i => i.Keyword == "VOLUME")
            .SelectMany(i => i.Arguments.StartsWith('[') ? JsonSerializer.Deserialize<string[]>(i.Arguments)! : [.. Words(i.Arguments)]);
        Assert.Contains(options.Storage.Root, volumes);
        Assert.Contains(RuntimeStage(), i => i.Keyword == "RUN" && i.Arguments.Contains("ffmpeg", StringComparison.Ordinal));
    }

    [Fact]
    public void Compose_builds_the_nodes_from_the_repository_dockerfile()
    {
        var nodes = ComposeNodes();
        Assert.Equal(3, nodes.Count);
        foreach (var (name, service) in nodes)
        {
            var build = Child(service, "build");
            var dockerfile = Path.GetFullPath(Path.Combine(ComposeFolder, Text(build, "context") ?? ".", Text(build, "dockerfile") ?? "Dockerfile"));
            Assert.True(dockerfile == Path.Combine(Root, "Dockerfile"), $"compose {name} builds {dockerfile}, not the repository's Dockerfile");
        }
    }

    [Fact]
    public void Compose_nodes_expose_the_configured_ports_and_keep_data_on_a_volume()
    {
        foreach (var (name, service) in ComposeNodes())
        {
            var options = Bind($"compose {name}", ComposeEnvironment(service));
            var ports = NodePorts(options).Values.ToHashSet();
            var exposed = Items(service, "expose").Select(p => int.Parse(Scalar(p).Split('/')[0], CultureInfo.InvariantCulture));
            Assert.Equal(ports.Order(), exposed.Order());
            foreach (var published in Items(service, "ports").Select(Scalar))
            {
                Assert.Contains(ContainerPort(published), ports);
            }

            var mounts = Items(service, "volumes").Select(v => Scalar(v).Split(':')).Where(p => p.Length >= 2).Select(p => p[1]);
            Assert.True(mounts.Contains(options.Storage.Root), $"compose {name}: no volume on Storage:Root {options.Storage.Root}");
        }
    }

    [Fact]
    public void Compose_health_checks_ask_ready_on_the_management_port()
    {
        foreach (var (name, service) in ComposeNodes())
        {
            var options = Bind($"compose {name}", ComposeEnvironment(service));
            var test = Items(Child(service, "healthcheck"), "test").Select(Scalar).ToList();
            Assert.True(test.Count > 1 && test[0] is "CMD" or "CMD-SHELL", $"compose {name}: healthcheck.test is not a command");
            var url = test.Select(t => t.Trim('"', '\'')).SingleOrDefault(t => t.StartsWith("http://", StringComparison.Ordinal));
            Assert.True(url is not null, $"compose {name}: the health check calls no http:// URL");
            var uri = new Uri(url);
            Assert.Equal("/ready", uri.AbsolutePath);
            Assert.Equal(options.Management.Port, uri.Port);
            Assert.True(uri.IsLoopback, $"compose {name}: the health check runs inside the container: {url} should be on loopback");
            var bind = IPAddress.Parse(options.Management.BindAddress);
            Assert.True(IPAddress.IsLoopback(bind) || bind.Equals(IPAddress.Any), $"compose {name}: management listens on {bind}, which loopback does not reach");
        }
    }

    [Fact]
    public void Compose_bootstrap_endpoints_name_every_node_as_it_names_itself()
    {
        var nodes = ComposeNodes().Select(n => (n.Name, Options: Bind($"compose {n.Name}", ComposeEnvironment(n.Service)))).ToList();
        var everyNode = nodes.Select(n => $"{n.Options.Management.Hostname ?? n.Options.Cluster.Hostname}:{n.Options.Management.Port}").Order(StringComparer.Ordinal).ToList();
        foreach (var (name, options) in nodes)
        {
            Assert.Equal("config", options.Cluster.Bootstrap.Discovery);
            Assert.Empty(options.Cluster.Seeds);

            // Bootstrap finds itself in the list only under the very name it advertises.
            Assert.Equal(everyNode, options.Cluster.Bootstrap.Endpoints.Order(StringComparer.Ordinal));
            Assert.True(options.Cluster.Hostname == name, $"compose {name}: Cluster:Hostname {options.Cluster.Hostname} is not the name the other nodes reach it by");
        }
    }

    [Fact]
    public void Compose_variables_are_listed_without_values_in_env_example()
    {
        var required = ReadCompose().Required;
        var example = File.ReadAllLines(Path.Combine(ComposeFolder, ".env.example"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToList();
        Assert.Equal(required, example.Select(p => p[0]).Order(StringComparer.Ordinal));
        Assert.All(example, p => Assert.True(p.Length == 2 && p[1].Length == 0, $".env.example: {p[0]} has a value; no secret is kept in the repository"));
    }

    [Fact]
    public void Nginx_sends_each_protocol_to_every_node_on_its_configured_port()
    {
        var nodes = ComposeNodes().Select(n => (n.Name, Options: Bind($"compose {n.Name}", ComposeEnvironment(n.Service)))).ToList();
        string[] Expected(Func<PlatformOptions, int> port) => [.. nodes.Select(n => $"{n.Name}:{port(n.Options)}").Order(StringComparer.Ordinal)];
        var conf = ReadNginx();
        var listens = new List<int>();

        var stream = conf.Single(d => d.Name == "stream");
        var rtmpServers = stream.Block.Where(d => d.Name == "server").ToList();
        Assert.NotEmpty(rtmpServers);
        foreach (var server in rtmpServers)
        {
            listens.AddRange(server.Block.Where(d => d.Name == "listen").Select(d => ListenPort(d.Args[0])));
            var upstream = server.Block.Single(d => d.Name == "proxy_pass").Args[0];
            Assert.Equal(Expected(o => o.Rtmp.Port), UpstreamServers(stream, upstream));
        }

        var http = conf.Single(d => d.Name == "http");
        var flvLocations = 0;
        foreach (var server in http.Block.Where(d => d.Name == "server"))
        {
            listens.AddRange(server.Block.Where(d => d.Name == "listen").Select(d => ListenPort(d.Args[0])));
            var locations = server.Block.Where(d => d.Name == "location").ToList();
            var ports = new HashSet<int>();
            foreach (var location in locations)
            {
                var upstream = new Uri(location.Block.Single(d => d.Name == "proxy_pass").Args[0]).Host;
                var servers = UpstreamServers(http, upstream);
                var port = int.Parse(servers[0][(servers[0].LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
                Assert.True(port == nodes[0].Options.Http.Port || port == nodes[0].Options.Api.Port, $"nginx.conf: upstream {upstream} is on port {port}, neither Http:Port nor Api:Port");
                Assert.Equal(Expected(o => port == o.Http.Port ? o.Http.Port : o.Api.Port), servers);
                ports.Add(port);

                // A node that fails before answering (refused, timed out, 502, 503) passes the request on.
                var nextUpstream = Inherited("proxy_next_upstream", location, server, http);
                Assert.True(nextUpstream is not null && new[] { "error", "timeout", "http_502", "http_503" }.All(nextUpstream.Contains),
                    $"nginx.conf: location {string.Join(' ', location.Args)} does not pass on error timeout http_502 http_503");
                if (location.Args.Any(a => a.Contains("flv", StringComparison.Ordinal)))
                {
                    Assert.Equal(nodes[0].Options.Http.Port, port);
                    Assert.Equal(["off"], Inherited("proxy_buffering", location, server, http));
                    flvLocations++;
                }
            }

            Assert.True(ports.Count == 1, $"nginx.conf: the server on {string.Join(", ", listens)} mixes node ports {string.Join(", ", ports)}");
        }

        Assert.Equal(1, flvLocations);
        var balancer = Map(ReadCompose().Services["balancer"], "compose balancer");
        Assert.Equal(listens.Order(), Items(balancer, "ports").Select(p => ContainerPort(Scalar(p))).Order());
    }

    [Fact]
    public void Kubernetes_container_ports_are_the_configured_ports()
    {
        var nodes = KubernetesNodes();
        var options = Bind(nodes.Source, ContainerEnvironment(nodes.Container));
        var declared = Items(nodes.Container, "ports").Select(p => Map(p, "ports")).ToDictionary(p => Text(p, "name") ?? string.Empty, p => int.Parse(Text(p, "containerPort")!, CultureInfo.InvariantCulture));
        Assert.Equal(NodePorts(options).OrderBy(p => p.Key, StringComparer.Ordinal), declared.OrderBy(p => p.Key, StringComparer.Ordinal));

        // Kubernetes discovery reads the contact point's port from the container port of that name.
        Assert.Equal(options.Management.Port, declared.GetValueOrDefault(options.Cluster.Bootstrap.PortName));
    }

    [Fact]
    public void Kubernetes_probes_ask_alive_and_ready_on_the_management_port()
    {
        var nodes = KubernetesNodes();
        var options = Bind(nodes.Source, ContainerEnvironment(nodes.Container));
        foreach (var (probe, path, required) in new[] { ("readinessProbe", "/ready", true), ("livenessProbe", "/alive", true), ("startupProbe", "/alive", false) })
        {
            if (Get(nodes.Container, probe) is null && !required)
            {
                continue;
            }

            var get = Child(Child(nodes.Container, probe), "httpGet");
            Assert.Equal(path, Text(get, "path"));
            Assert.True(ResolvePort(nodes.Container, Text(get, "port")) == options.Management.Port, $"{probe} is not on the management port {options.Management.Port}");
            Assert.NotEqual("HTTPS", Text(get, "scheme"));
        }

        Assert.True(IPAddress.Parse(options.Management.BindAddress).Equals(IPAddress.Any), "the kubelet probes the pod's IP: Management:BindAddress must be 0.0.0.0");
    }

    [Fact]
    public void Kubernetes_prestop_runs_the_drain_subcommand_of_the_image()
    {
        var nodes = KubernetesNodes();
        var command = Items(Child(Child(Child(nodes.Container, "lifecycle"), "preStop"), "exec"), "command").Select(Scalar).ToList();
        Assert.Equal(3, command.Count);
        Assert.Equal("dotnet", command[0]);
        Assert.Equal("drain", command[2]);
        var dll = JsonSerializer.Deserialize<string[]>(RuntimeStage().Last(i => i.Keyword == "ENTRYPOINT").Arguments)![1];
        var workdir = RuntimeStage().Last(i => i.Keyword == "WORKDIR").Arguments;
        var expected = Path.IsPathRooted(command[1]) ? Path.Combine(workdir, dll) : dll;
        Assert.True(command[1] == expected, $"preStop runs {command[1]}, the image's node is {Path.Combine(workdir, dll)}");
    }

    [Fact]
    public void Grace_periods_exceed_the_drain_timeout()
    {
        var nodes = KubernetesNodes();
        var options = Bind(nodes.Source, ContainerEnvironment(nodes.Container));
        var grace = Text(nodes.PodSpec, "terminationGracePeriodSeconds") is { } seconds ? TimeSpan.FromSeconds(int.Parse(seconds, CultureInfo.InvariantCulture)) : KubernetesDefaultGrace;
        Assert.True(grace > options.Cluster.DrainTimeout + LeaveMargin,
            $"{nodes.Source}: terminationGracePeriodSeconds {grace.TotalSeconds} does not leave room for Cluster:DrainTimeout {options.Cluster.DrainTimeout} and leaving the cluster ({LeaveMargin.TotalSeconds} s)");

        foreach (var (name, service) in ComposeNodes())
        {
            var compose = Bind($"compose {name}", ComposeEnvironment(service));
            var stop = Text(service, "stop_grace_period") is { } text ? GoDuration(text) : ComposeDefaultGrace;
            Assert.True(stop > compose.Cluster.DrainTimeout + LeaveMargin,
                $"compose {name}: stop_grace_period {stop} does not leave room for Cluster:DrainTimeout {compose.Cluster.DrainTimeout} and leaving the cluster ({LeaveMargin.TotalSeconds} s)");
        }
    }

    [Fact]
    public void Kubernetes_discovery_selects_the_node_pods_and_nothing_else()
    {
        var nodes = KubernetesNodes();
        var options = Bind(nodes.Source, ContainerEnvironment(nodes.Container));
        var bootstrap = options.Cluster.Bootstrap;
        Assert.True(bootstrap.IsKubernetes, $"{nodes.Source}: Cluster:Bootstrap:Discovery is {bootstrap.Discovery}, not kubernetes");
        Assert.True(bootstrap.PodNamespace is null || bootstrap.PodNamespace == Text(Kustomization(), "namespace"), $"Cluster:Bootstrap:PodNamespace {bootstrap.PodNamespace} is not where the pods are");

        var selector = ParseSelector(string.Format(CultureInfo.InvariantCulture, bootstrap.PodLabelSelector, bootstrap.ServiceName));
        Assert.True(Matches(selector, nodes.PodLabels), $"the discovery selector {bootstrap.PodLabelSelector} ({string.Join(',', selector)}) does not match the pods' labels {string.Join(',', nodes.PodLabels)}");
        foreach (var (source, labels) in Workloads().Where(w => w.Workload != nodes.Workload).Select(w => (Source: Describe(w.Workload), Labels: PodLabels(w.Workload))))
        {
            Assert.False(Matches(selector, labels), $"the discovery selector also finds the pods of {source}");
        }

        var matchLabels = Labels(Child(Child(nodes.Workload, "spec"), "selector"), "matchLabels");
        Assert.True(matchLabels.Count > 0 && Matches(matchLabels, nodes.PodLabels), $"{nodes.Source}: spec.selector does not select its own pods");

        var headless = Resources().Where(r => Text(r, "kind") == "Service" && Text(Child(r, "spec"), "clusterIP") == "None").ToList();
        var discovery = Assert.Single(headless);
        Assert.Equal("true", Text(Child(discovery, "spec"), "publishNotReadyAddresses"));
        Assert.True(Matches(Labels(Child(discovery, "spec"), "selector"), nodes.PodLabels), "the headless Service does not select the node pods");
        if (Text(nodes.Workload, "kind") == "StatefulSet")
        {
            Assert.Equal(Text(Child(discovery, "metadata"), "name"), Text(Child(nodes.Workload, "spec"), "serviceName"));
        }
    }

    [Fact]
    public void Kubernetes_services_target_ports_the_pods_have()
    {
        var nodes = KubernetesNodes();
        var options = Bind(nodes.Source, ContainerEnvironment(nodes.Container));
        var targeted = new HashSet<int>();
        foreach (var service in Resources().Where(r => Text(r, "kind") == "Service"))
        {
            var spec = Child(service, "spec");
            var selector = Labels(spec, "selector");
            var pods = Workloads().Where(w => Matches(selector, PodLabels(w.Workload))).ToList();
            Assert.True(selector.Count > 0 && pods.Count > 0, $"{Describe(service)} selects no pods");
            foreach (var port in Items(spec, "ports").Select(p => Map(p, Describe(service))))
            {
                var target = Text(port, "targetPort") ?? Text(port, "port");
                foreach (var (workload, _, container) in pods)
                {
                    var resolved = ResolvePort(container, target);
                    Assert.True(resolved is not null, $"{Describe(service)}: targetPort {target} is no port of {Describe(workload)}");
                    if (container == nodes.Container)
                    {
                        targeted.Add(resolved.Value);
                    }
                }
            }
        }

        Assert.Superset(new HashSet<int> { options.Rtmp.Port, options.Http.Port, options.Api.Port, options.Management.Port }, targeted);
    }

    [Fact]
    public void Kubernetes_node_account_may_get_watch_and_list_pods()
    {
        var nodes = KubernetesNodes();
        var account = Text(nodes.PodSpec, "serviceAccountName");
        Assert.False(string.IsNullOrEmpty(account), $"{nodes.Source}: no serviceAccountName (the default account may not list pods)");
        Assert.NotEqual("false", Text(nodes.PodSpec, "automountServiceAccountToken"));
        Assert.Contains(Resources(), r => Text(r, "kind") == "ServiceAccount" && Name(r) == account);

        var roles = Resources()
            .Where(r => Text(r, "kind") is "RoleBinding" or "ClusterRoleBinding")
            .Where(b => Items(b, "subjects").Select(s => Map(s, "subject")).Any(s => Text(s, "kind") == "ServiceAccount" && Text(s, "name") == account))
            .Select(b => Child(b, "roleRef"))
            .Select(roleRef => Resources().SingleOrDefault(r => Text(r, "kind") == Text(roleRef, "kind") && Name(r) == Text(roleRef, "name")))
            .OfType<Dictionary<string, object?>>()
            .ToList();
        var rules = roles.SelectMany(r => Items(r, "rules")).Select(r => Map(r, "rule")).ToList();
        var allowed = rules
            .Where(r => Items(r, "apiGroups").Select(Scalar).Contains(string.Empty) && Items(r, "resources").Select(Scalar).Contains("pods"))
            .SelectMany(r => Items(r, "verbs").Select(Scalar))
            .ToHashSet();
        Assert.Superset(new HashSet<string> { "get", "watch", "list" }, allowed);
    }

    [Fact]
    public void Kubernetes_nodes_start_together_and_keep_data_on_a_volume()
    {
        var nodes = KubernetesNodes();
        var options = Bind(nodes.Source, ContainerEnvironment(nodes.Container));
        var spec = Child(nodes.Workload, "spec");
        var replicas = int.Parse(Text(spec, "replicas") ?? "1", CultureInfo.InvariantCulture);
        var required = options.Cluster.Bootstrap.RequiredContactPoints ?? 2;
        Assert.True(replicas >= required, $"{nodes.Source}: {replicas} replicas never reach the {required} contact points bootstrap waits for");

        // A pod is ready only as a cluster member: started one by one, the first would wait for the second forever.
        if (Text(nodes.Workload, "kind") == "StatefulSet")
        {
            Assert.Equal("Parallel", Text(spec, "podManagementPolicy"));
        }

        var mount = Items(nodes.Container, "volumeMounts").Select(m => Map(m, "volumeMounts")).SingleOrDefault(m => Text(m, "mountPath") == options.Storage.Root);
        Assert.True(mount is not null, $"{nodes.Source}: nothing is mounted on Storage:Root {options.Storage.Root}");
        var volumes = Items(spec, "volumeClaimTemplates").Select(t => Name(Map(t, "volumeClaimTemplates")))
            .Concat(Items(nodes.PodSpec, "volumes").Select(v => Text(Map(v, "volumes"), "name")));
        Assert.Contains(Text(mount, "name"), volumes);
    }

    [Fact]
    public void Kustomization_lists_every_manifest_of_the_folder_and_sets_the_node_image()
    {
        var kustomization = Kustomization();
        var listed = Items(kustomization, "resources").Select(Scalar).Order(StringComparer.Ordinal).ToList();
        var files = Directory.EnumerateFiles(KubernetesFolder, "*.yaml").Select(Path.GetFileName).OfType<string>()
            .Where(f => f != "kustomization.yaml").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, listed);

        var images = Items(kustomization, "images").Select(i => Text(Map(i, "images"), "name")).ToList();
        Assert.Contains(ImageName(Text(KubernetesNodes().Container, "image")!), images);
    }

    [Fact]
    public void Kubernetes_secrets_are_created_by_the_deploy_readme()
    {
        var readme = File.ReadAllText(Path.Combine(DeployFolder, "README.md"));
        var references = Workloads()
            .SelectMany(w => Items(w.Container, "env"))
            .Select(e => Get(Map(e, "env"), "valueFrom") as Dictionary<string, object?>)
            .Select(from => from is null ? null : Get(from, "secretKeyRef") as Dictionary<string, object?>)
            .OfType<Dictionary<string, object?>>()
            .Select(r => (Name: Text(r, "name")!, Key: Text(r, "key")!))
            .Distinct()
            .ToList();
        Assert.NotEmpty(references);
        foreach (var (name, key) in references)
        {
            Assert.True(readme.Contains($"create secret generic {name}", StringComparison.Ordinal), $"deploy/README.md does not create the Secret {name}");
            Assert.True(readme.Contains($"--from-literal={key}=", StringComparison.Ordinal), $"deploy/README.md does not give the Secret {name} its key {key}");
        }
    }

    // ---- the node's settings ----

    /// <summary>Every environment a node is started with: the image's own, each compose node's, the Kubernetes pods'.</summary>
    private static IEnumerable<(string Source, Dictionary<string, string> Environment)> NodeEnvironments()
    {
        yield return ("Dockerfile", ImageEnvironment());
        foreach (var (name, service) in ComposeNodes())
        {
            yield return ($"compose {name}", ComposeEnvironment(service));
        }

        var nodes = KubernetesNodes();
        yield return (nodes.Source, ContainerEnvironment(nodes.Container));
    }

    /// <summary>Binds the published appsettings.json and <paramref name="environment"/> as the node does, and runs its start-up checks.</summary>
    private static PlatformOptions Bind(string source, IReadOnlyDictionary<string, string> environment)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Root, "src", "Api", "appsettings.json"), optional: false, reloadOnChange: false)
            .AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(e.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), (string?)e.Value)))
            .Build();
        var options = new PlatformOptions();
        var problems = new List<string>();
        if (ConfigValidator.TryBind(configuration, options) is { } bindProblem)
        {
            problems.Add(bindProblem);
        }
        else
        {
            problems.AddRange(ConfigValidator.Validate(options));
            problems.AddRange(new[] { options.Api.ValidateAuth(), options.Management.ValidateAuth(), options.Http.ValidateHlsSessions(), options.Cluster.Validate() }.OfType<string>());
        }

        Assert.True(problems.Count == 0, $"{source}: the node would refuse to start: {string.Join("; ", problems)}");
        return options;
    }

    /// <summary>Container port names (as the Kubernetes manifests name them) and the node's port for each.</summary>
    private static Dictionary<string, int> NodePorts(PlatformOptions options) => new(StringComparer.Ordinal)
    {
        ["rtmp"] = options.Rtmp.Port,
        ["http"] = options.Http.Port,
        ["api"] = options.Api.Port,
        ["management"] = options.Management.Port,
        ["remoting"] = options.Cluster.Port,
        ["media"] = options.Cluster.MediaPort,
    };

    // ---- Dockerfile ----

    private sealed record Instruction(string Keyword, string Arguments);

    private static List<Instruction> ReadDockerfile()
    {
        var instructions = new List<Instruction>();
        var current = new StringBuilder();
        foreach (var raw in File.ReadAllLines(Path.Combine(Root, "Dockerfile")))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current.Append(line[..^1]).Append(' ');
                continue;
            }

            var text = current.Append(line).ToString().Trim();
            current.Clear();
            var space = text.IndexOfAny([' ', '\t']);
            instructions.Add(space < 0 ? new(text.ToUpperInvariant(), string.Empty) : new(text[..space].ToUpperInvariant(), text[(space + 1)..].Trim()));
        }

        Assert.True(current.Length == 0, "Dockerfile: the last instruction ends with a line continuation");
        return instructions;
    }

    /// <summary>The instructions of the image that runs: from the last FROM on.</summary>
    private static List<Instruction> RuntimeStage()
    {
        var instructions = ReadDockerfile();
        return instructions[instructions.FindLastIndex(i => i.Keyword == "FROM")..];
    }

    private static Dictionary<string, string> ImageEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var instruction in RuntimeStage().Where(i => i.Keyword == "ENV"))
        {
            var words = Words(instruction.Arguments);
            if (!words[0].Contains('=', StringComparison.Ordinal))
            {
                environment[words[0]] = string.Join(' ', words.Skip(1));
                continue;
            }

            foreach (var word in words)
            {
                var equals = word.IndexOf('=', StringComparison.Ordinal);
                environment[word[..equals]] = word[(equals + 1)..];
            }
        }

        return environment;
    }

    /// <summary>Splits on blanks outside double quotes, and drops the quotes.</summary>
    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (any)
                {
                    words.Add(word.ToString());
                }

                word.Clear();
                any = false;
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }

        if (any)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    [GeneratedRegex(@"dotnet publish src/Api\b.*-c Release\b.*-o (?<out>\S+)")]
    private static partial Regex PublishCommand();

    // ---- compose ----

    private sealed record Compose(Dictionary<string, object?> Services, List<string> Required);

    /// <summary>compose.yaml with its variables interpolated: every variable without a default gets a placeholder and is listed.</summary>
    private static Compose ReadCompose()
    {
        var required = new SortedSet<string>(StringComparer.Ordinal);
        var file = Path.Combine(ComposeFolder, "compose.yaml");
        var document = Map(Assert.Single(ReadYaml(file, value => Interpolate(value, required))), Relative(file));
        return new Compose(Child(document, "services"), [.. required]);
    }

    /// <summary>The services that run the node: those built from the repository.</summary>
    private static List<(string Name, Dictionary<string, object?> Service)> ComposeNodes() =>
        [.. ReadCompose().Services.Select(s => (s.Key, Map(s.Value, $"compose {s.Key}"))).Where(s => s.Item2.ContainsKey("build"))];

    private static Dictionary<string, string> ComposeEnvironment(Dictionary<string, object?> service)
    {
        var environment = ImageEnvironment();
        switch (Get(service, "environment"))
        {
            case Dictionary<string, object?> map:
                foreach (var (name, value) in map)
                {
                    environment[name] = value is null ? SecretPlaceholder : Scalar(value);
                }

                break;
            case List<object?> list:
                foreach (var pair in list.Select(Scalar).Select(i => i.Split('=', 2)))
                {
                    environment[pair[0]] = pair.Length == 2 ? pair[1] : SecretPlaceholder;
                }

                break;
        }

        return environment;
    }

    /// <summary>Compose's <c>${NAME}</c>, <c>${NAME:?message}</c>, <c>${NAME:-default}</c>, <c>$NAME</c> and <c>$$</c>.</summary>
    private static string Interpolate(string value, ISet<string> required) =>
        ComposeVariable().Replace(value, match =>
        {
            if (match.Value == "$$")
            {
                return "$";
            }

            if (match.Groups["op"].Value is "-" or ":-" or "+" or ":+")
            {
                return match.Groups["arg"].Value;
            }

            required.Add(match.Groups["name"].Success ? match.Groups["name"].Value : match.Groups["bare"].Value);
            return SecretPlaceholder;
        });

    [GeneratedRegex(@"\$\$|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?[-?+])(?<arg>[^}]*))?\}|\$(?<bare>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex ComposeVariable();

    /// <summary>The container side of a compose port: <c>1935</c>, <c>8080:8080</c>, <c>127.0.0.1:1985:1985/tcp</c>.</summary>
    private static int ContainerPort(string published) => int.Parse(published.Split('/')[0].Split(':')[^1], CultureInfo.InvariantCulture);

    /// <summary>Go durations as compose writes them: <c>50s</c>, <c>1m30s</c>, <c>500ms</c>.</summary>
    private static TimeSpan GoDuration(string text)
    {
        var parts = GoDurationPart().Matches(text);
        Assert.True(parts.Count > 0 && string.Concat(parts.Select(p => p.Value)) == text, $"{text} is not a duration such as 45s or 1m30s");
        return parts.Aggregate(TimeSpan.Zero, (total, part) =>
        {
            var number = double.Parse(part.Groups["n"].Value, CultureInfo.InvariantCulture);
            return total + part.Groups["unit"].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" => TimeSpan.FromMinutes(number),
                _ => TimeSpan.FromHours(number),
            };
        });
    }

    [GeneratedRegex(@"(?<n>\d+(?:\.\d+)?)(?<unit>ms|s|m|h)")]
    private static partial Regex GoDurationPart();

    // ---- nginx ----

    private sealed record NginxDirective(string Name, List<string> Args, List<NginxDirective> Block);

    private static List<NginxDirective> ReadNginx()
    {
        var tokens = NginxTokens(File.ReadAllText(Path.Combine(ComposeFolder, "nginx.conf")));
        var position = 0;
        return NginxBlock(tokens, ref position, top: true);
    }

    /// <summary>Words, quoted strings, and the punctuation <c>{ } ;</c> (marked as such), comments left out.</summary>
    private static List<(string Text, bool Punctuation)> NginxTokens(string text)
    {
        var tokens = new List<(string, bool)>();
        var word = new StringBuilder();
        void EndWord()
        {
            if (word.Length > 0)
            {
                tokens.Add((word.ToString(), false));
                word.Clear();
            }
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '#')
            {
                EndWord();
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c is '"' or '\'')
            {
                EndWord();
                var end = text.IndexOf(c, i + 1);
                Assert.True(end > 0, "nginx.conf: a quote is not closed");
                tokens.Add((text[(i + 1)..end], false));
                i = end;
            }
            else if (c is '{' or '}' or ';')
            {
                EndWord();
                tokens.Add((c.ToString(), true));
            }
            else if (char.IsWhiteSpace(c))
            {
                EndWord();
            }
            else
            {
                word.Append(c);
            }
        }

        EndWord();
        return tokens;
    }

    private static List<NginxDirective> NginxBlock(List<(string Text, bool Punctuation)> tokens, ref int position, bool top)
    {
        var block = new List<NginxDirective>();
        var words = new List<string>();
        while (position < tokens.Count)
        {
            var (text, punctuation) = tokens[position++];
            if (!punctuation)
            {
                words.Add(text);
                continue;
            }

            if (text == "}")
            {
                Assert.True(!top && words.Count == 0, "nginx.conf: a '}' closes nothing, or follows a directive without ';'");
                return block;
            }

            Assert.True(words.Count > 0, $"nginx.conf: '{text}' without a directive");
            block.Add(new NginxDirective(words[0], words[1..], text == "{" ? NginxBlock(tokens, ref position, top: false) : []));
            words = [];
        }

        Assert.True(top && words.Count == 0, "nginx.conf: a block is not closed, or the last directive has no ';'");
        return block;
    }

    /// <summary>The <c>server</c> addresses of an upstream, sorted.</summary>
    private static List<string> UpstreamServers(NginxDirective context, string upstream)
    {
        var block = context.Block.SingleOrDefault(d => d.Name == "upstream" && d.Args[0] == upstream);
        Assert.True(block is not null, $"nginx.conf: no upstream {upstream} in {context.Name}");
        return [.. block.Block.Where(d => d.Name == "server").Select(d => d.Args[0]).Order(StringComparer.Ordinal)];
    }

    /// <summary>A directive's arguments where it is set: the location, else its server, else the context.</summary>
    private static List<string>? Inherited(string name, params NginxDirective[] levels) =>
        levels.Select(level => level.Block.LastOrDefault(d => d.Name == name)).FirstOrDefault(d => d is not null)?.Args;

    private static int ListenPort(string listen) => int.Parse(listen.Split(':')[^1], CultureInfo.InvariantCulture);

    // ---- Kubernetes ----

    private sealed record KubernetesNode(string Source, Dictionary<string, object?> Workload, Dictionary<string, object?> PodSpec, Dictionary<string, object?> Container, Dictionary<string, string> PodLabels);

    private static readonly Lazy<Dictionary<string, object?>> KustomizationFile = new(() =>
    {
        var file = Path.Combine(KubernetesFolder, "kustomization.yaml");
        return Map(Assert.Single(ReadYaml(file)), Relative(file));
    });

    /// <summary>Every resource the kustomization lists, as written (before its transformations), read once.</summary>
    private static readonly Lazy<List<Dictionary<string, object?>>> KubernetesResources = new(() =>
        [.. Items(Kustomization(), "resources").Select(r => Path.Combine(KubernetesFolder, Scalar(r))).SelectMany(f => ReadYaml(f).Select(d => Map(d, Relative(f))))]);

    private static Dictionary<string, object?> Kustomization() => KustomizationFile.Value;

    private static List<Dictionary<string, object?>> Resources() => KubernetesResources.Value;

    /// <summary>Every workload with each of its containers.</summary>
    private static List<(Dictionary<string, object?> Workload, Dictionary<string, object?> PodSpec, Dictionary<string, object?> Container)> Workloads() =>
    [
        .. Resources()
            .Where(r => Text(r, "kind") is "StatefulSet" or "Deployment" or "DaemonSet" or "ReplicaSet" or "Job")
            .SelectMany(w =>
            {
                var podSpec = Child(Child(Child(w, "spec"), "template"), "spec");
                return Items(podSpec, "containers").Select(c => (w, podSpec, Map(c, Describe(w))));
            }),
    ];

    /// <summary>The workload running the node: its container's image is the one the kustomization sets.</summary>
    private static KubernetesNode KubernetesNodes()
    {
        var images = Items(Kustomization(), "images").Select(i => Text(Map(i, "images"), "name")).ToHashSet();
        var (workload, podSpec, container) = Assert.Single(Workloads(), w => images.Contains(ImageName(Text(w.Container, "image") ?? string.Empty)));
        return new KubernetesNode($"kubernetes {Describe(workload)}", workload, podSpec, container, PodLabels(workload));
    }

    /// <summary>The container's environment over the image's: Secrets and the downward API as placeholders, <c>$(NAME)</c> expanded.</summary>
    private static Dictionary<string, string> ContainerEnvironment(Dictionary<string, object?> container)
    {
        Assert.True(Get(container, "envFrom") is null, "envFrom hides the names of the node's settings from these checks: list them under env");
        var environment = ImageEnvironment();
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in Items(container, "env").Select(e => Map(e, "env")))
        {
            var name = Text(variable, "name")!;
            string value;
            if (Get(variable, "valueFrom") is Dictionary<string, object?> from)
            {
                value = Get(from, "secretKeyRef") is not null ? SecretPlaceholder
                    : Text(Child(from, "fieldRef"), "fieldPath") switch
                    {
                        "status.podIP" => PodIpPlaceholder,
                        "metadata.name" => "platform-0",
                        "metadata.namespace" => Text(Kustomization(), "namespace") ?? "default",
                        var other => throw new InvalidDataException($"{name}: valueFrom {other} is not known to these checks"),
                    };
            }
            else
            {
                value = KubernetesReference().Replace(Text(variable, "value") ?? string.Empty, m => own.GetValueOrDefault(m.Groups["name"].Value, m.Value));
            }

            own[name] = value;
            environment[name] = value;
        }

        return environment;
    }

    [GeneratedRegex(@"\$\((?<name>[A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex KubernetesReference();

    /// <summary>A port as a probe or Service names it (a number, or a container port's name) resolved on <paramref name="container"/>.</summary>
    private static int? ResolvePort(Dictionary<string, object?> container, string? port)
    {
        if (int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return Items(container, "ports").Select(p => Map(p, "ports")).Any(p => Text(p, "containerPort") == port) ? number : null;
        }

        var named = Items(container, "ports").Select(p => Map(p, "ports")).SingleOrDefault(p => Text(p, "name") == port);
        return named is null ? null : int.Parse(Text(named, "containerPort")!, CultureInfo.InvariantCulture);
    }

    /// <summary>Equality-based selectors only (<c>a=b,c==d</c>), which is what the manifests use.</summary>
    private static Dictionary<string, string> ParseSelector(string selector)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var term in selector.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = term.Split("==") is [var k, var v] ? [k, v] : term.Split('=');
            Assert.True(parts.Length == 2 && !parts[0].EndsWith('!'), $"label selector term {term}: only key=value terms are checked here");
            labels[parts[0].Trim()] = parts[1].Trim();
        }

        return labels;
    }

    private static bool Matches(Dictionary<string, string> selector, Dictionary<string, string> labels) =>
        selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);

    private static Dictionary<string, string> Labels(Dictionary<string, object?> parent, string key = "labels") =>
        Get(parent, key) is Dictionary<string, object?> labels
            ? labels.ToDictionary(l => l.Key, l => Scalar(l.Value), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    private static Dictionary<string, string> PodLabels(Dictionary<string, object?> workload) => Labels(Child(Child(Child(workload, "spec"), "template"), "metadata"));

    private static string? Name(Dictionary<string, object?> resource) => Text(Child(resource, "metadata"), "name");

    private static string Describe(Dictionary<string, object?> resource) => $"{Text(resource, "kind")} {Name(resource)}";

    private static string ImageName(string image) => image.Split('@')[0] is var name && name.LastIndexOf(':') > name.LastIndexOf('/') ? name[..name.LastIndexOf(':')] : name;

    // ---- YAML ----

    /// <summary>Every document of a YAML file, merge keys (<c>&lt;&lt;: *anchor</c>) applied, scalars as strings passed through <paramref name="scalar"/>.</summary>
    private static List<object> ReadYaml(string file, Func<string, string>? scalar = null)
    {
        var deserializer = new DeserializerBuilder().Build();
        using var reader = new StreamReader(file);
        var parser = new MergingParser(new Parser(reader));
        var documents = new List<object>();
        try
        {
            parser.Consume<StreamStart>();
            while (parser.Accept<DocumentStart>(out _))
            {
                if (Normalise(deserializer.Deserialize<object?>(parser), scalar ?? (s => s)) is { } document)
                {
                    documents.Add(document);
                }
            }
        }
        catch (Exception ex) when (ex is YamlException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{Relative(file)}: {ex.Message}", ex);
        }

        return documents;
    }

    private static object? Normalise(object? node, Func<string, string> scalar) => node switch
    {
        null => null,
        IDictionary<object, object?> map => map.ToDictionary(e => Convert.ToString(e.Key, CultureInfo.InvariantCulture)!, e => Normalise(e.Value, scalar), StringComparer.Ordinal),
        IList<object?> list => list.Select(i => Normalise(i, scalar)).ToList(),
        _ => scalar(Convert.ToString(node, CultureInfo.InvariantCulture)!),
    };

    private static Dictionary<string, object?> Map(object? node, string what) =>
        node as Dictionary<string, object?> ?? throw new InvalidDataException($"{what}: expected a mapping, found {node?.GetType().Name ?? "nothing"}");

    private static object? Get(Dictionary<string, object?> map, string key) => map.GetValueOrDefault(key);

    private static Dictionary<string, object?> Child(Dictionary<string, object?> map, string key) => Map(Get(map, key), key);

    private static string? Text(Dictionary<string, object?> map, string key) => Get(map, key) as string;

    private static string Scalar(object? node) => node as string ?? throw new InvalidDataException($"expected a scalar, found {node?.GetType().Name ?? "nothing"}");

    private static List<object?> Items(Dictionary<string, object?> map, string key) => Get(map, key) as List<object?> ?? [];

    // ---- files ----

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Platform.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no Platform.sln above {AppContext.BaseDirectory}");
    }

    private static string Relative(string file) => Path.GetRelativePath(Root, file);
}
