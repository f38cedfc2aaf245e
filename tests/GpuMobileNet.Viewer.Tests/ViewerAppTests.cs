using GpuMobileNet.Viewer;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>Which --urls count as loopback (no warning), the default binding, and serving under a path prefix.</summary>
public class ViewerAppTests
{
    [TestCase("http://127.0.0.1:5000", true)]
    [TestCase("http://localhost:5000", true)]
    [TestCase("http://[::1]:5000", true)]
    [TestCase("http://127.3.4.5:80", true)]
    [TestCase("http://0.0.0.0:5000", false)]
    [TestCase("http://*:5000", false)]
    [TestCase("http://+:5000", false)]
    [TestCase("http://192.168.1.20:5000", false)]
    [TestCase("http://[::]:5000", false)]
    public void Loopback(string url, bool loopback) => Assert.That(ViewerApp.IsLoopback(url), Is.EqualTo(loopback));

    [Test]
    public void DefaultIsLoopbackPort5000() => Assert.That(ViewerApp.DefaultUrl, Is.EqualTo("http://127.0.0.1:5000"));

    [Test]
    public async Task UnderThePathPrefixThePageAndApiAreServedAndTheBarePrefixRedirects()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = ViewerServer.Instance.Url };
        var bare = await http.GetAsync(ViewerServer.PathBase.TrimStart('/') + "?session=x");
        Assert.That((int)bare.StatusCode, Is.EqualTo(302));
        Assert.That(bare.Headers.Location?.ToString(), Is.EqualTo($"{ViewerServer.PathBase}/?session=x"), "relative paths resolve under prefix/");
        var page = await http.GetStringAsync(ViewerServer.PathBase.TrimStart('/') + "/");
        Assert.That(page, Does.Contain("<script src=\"app.js\">"));
        var models = await http.GetStringAsync(ViewerServer.PathBase.TrimStart('/') + "/api/models");
        Assert.That(models, Does.Contain(ModelCatalog.NsfwjsName));
    }

    [Test]
    public void TheTestServerListensOnLoopback() => Assert.That(ViewerApp.IsLoopback(ViewerServer.Instance.Url.ToString()), Is.True);
}
