using Platform.Streams.Access;

namespace Platform.Streams.Tests.Access;

public sealed class InternalTicketsTests
{
    private static readonly StreamKey Source = new(StreamKey.DefaultVhost, "live", "s1");
    private static readonly StreamKey Rendition = new(StreamKey.DefaultVhost, "live", "s1_480p");
    private static readonly InternalOrigin Reader = new("engine-480p", []);
    private static readonly InternalOrigin Publisher = new("engine-480p", [new LineageStep(Source, "480p")]);

    private static string Query(string ticket) => $"{InternalTickets.Parameter}={ticket}";

    [Fact]
    public void A_ticket_admits_its_stream_and_action_only()
    {
        var tickets = new InternalTickets();
        var play = tickets.Issue(Source, AccessAction.Play, Reader);
        var publish = tickets.Issue(Rendition, AccessAction.Publish, Publisher);

        Assert.Same(Reader, tickets.Admit(Query(play), Source, AccessAction.Play));
        Assert.Same(Publisher, tickets.Admit(Query(publish), Rendition, AccessAction.Publish));

        // Another action, stream, app or vhost: refused.
        Assert.Null(tickets.Admit(Query(play), Source, AccessAction.Publish));
        Assert.Null(tickets.Admit(Query(play), Rendition, AccessAction.Play));
        Assert.Null(tickets.Admit(Query(publish), Rendition, AccessAction.Play));
        Assert.Null(tickets.Admit(Query(publish), Source, AccessAction.Publish));
        Assert.Null(tickets.Admit(Query(play), Source with { App = "live2" }, AccessAction.Play));
        Assert.Null(tickets.Admit(Query(play), Source with { Vhost = "other" }, AccessAction.Play));
    }

    [Fact]
    public void The_ticket_is_read_from_anywhere_in_the_query()
    {
        var tickets = new InternalTickets();
        var play = tickets.Issue(Source, AccessAction.Play, Reader);
        Assert.NotNull(tickets.Admit($"vhost=x&{Query(play)}&a=b", Source, AccessAction.Play));
        Assert.NotNull(tickets.Admit($"PLATFORM_TOKEN={play}", Source, AccessAction.Play));

        // The last one counts, as for any parameter.
        Assert.Null(tickets.Admit($"{Query(play)}&{Query("forged")}", Source, AccessAction.Play));
    }

    [Fact]
    public void A_connect_is_admitted_with_a_live_ticket_in_its_query()
    {
        var tickets = new InternalTickets();
        var play = tickets.Issue(Source, AccessAction.Play, Reader);
        Assert.True(tickets.AdmitsConnect($"vhost=v&{Query(play)}"));
        Assert.True(tickets.AdmitsConnect(Query(play)));
        Assert.False(tickets.AdmitsConnect(Query(play + "x")));
        Assert.False(tickets.AdmitsConnect(Query(string.Empty)));
        Assert.False(tickets.AdmitsConnect(InternalTickets.Parameter));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("vhost=v")]
    [InlineData("token=abc&expires=1")]
    public void A_query_without_the_parameter_is_refused(string? query)
    {
        var tickets = new InternalTickets();
        tickets.Issue(Source, AccessAction.Play, Reader);
        Assert.False(tickets.AdmitsConnect(query));
        Assert.Null(tickets.Admit(query, Source, AccessAction.Play));
    }

    [Fact]
    public void A_revoked_ticket_is_refused()
    {
        var tickets = new InternalTickets();
        var play = tickets.Issue(Source, AccessAction.Play, Reader);
        var publish = tickets.Issue(Rendition, AccessAction.Publish, Publisher);
        Assert.Equal(2, tickets.Count);

        tickets.Revoke(play);
        tickets.Revoke(null);
        tickets.Revoke("unknown");
        Assert.Equal(1, tickets.Count);
        Assert.False(tickets.AdmitsConnect(Query(play)));
        Assert.Null(tickets.Admit(Query(play), Source, AccessAction.Play));
        Assert.Same(Publisher, tickets.Admit(Query(publish), Rendition, AccessAction.Publish));
    }

    [Fact]
    public void Tickets_are_distinct_and_url_safe()
    {
        var tickets = new InternalTickets();
        var issued = Enumerable.Range(0, 200).Select(_ => tickets.Issue(Source, AccessAction.Play, Reader)).ToList();
        Assert.Equal(200, issued.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(200, tickets.Count);
        Assert.All(issued, t =>
        {
            Assert.True(t.Length >= 32, t);
            Assert.Equal(t, Uri.EscapeDataString(t));
        });

        // A ticket of another node (another instance) is nothing here.
        Assert.Null(new InternalTickets().Admit(Query(issued[0]), Source, AccessAction.Play));
    }

    [Fact]
    public void An_origin_knows_what_its_stream_descends_from()
    {
        Assert.True(Publisher.DescendsFrom(Source));
        Assert.False(Publisher.DescendsFrom(Rendition));
        Assert.False(Reader.DescendsFrom(Source));
    }
}
