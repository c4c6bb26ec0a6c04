using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Server;

/// <summary>
/// The playground in headless Chromium against a real (Kestrel) server: the page lists the models, shows the next-word
/// bars as one types, and streams generated text in after a click.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class PlaygroundBrowserTests(ServedTestModels models)
{
    [ChromiumFact]
    public void TypingAPrimeAndGeneratingStreamsTextIn()
    {
        using ServerFactory server = models.CreateServer();
        Uri address = server.StartKestrel();
        using ChromeDriver browser = StartBrowser();
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30));
        browser.Navigate().GoToUrl(address);
        wait.Until(b => b.FindElement(By.TagName("body")).GetAttribute("data-ready") == "true");

        Assert.Equal(["words (word)", "chars (char)", "sentiment (classifier)"], browser.FindElements(By.CssSelector("#model option")).Select(o => o.Text));
        browser.FindElement(By.CssSelector("#model option[value=chars]")).Click();
        Assert.True(browser.FindElement(By.CssSelector("[data-action=generate]")).Displayed);
        Assert.False(browser.FindElement(By.CssSelector("[data-action=classify]")).Displayed);

        IWebElement input = browser.FindElement(By.Id("input"));
        input.SendKeys("the ca");
        // The next-character bars follow the typing.
        wait.Until(b => b.FindElements(By.CssSelector("#next li")).Count == 10);
        browser.FindElement(By.Id("length")).Clear();
        browser.FindElement(By.Id("length")).SendKeys("40");
        browser.FindElement(By.Id("generate")).Click();
        wait.Until(b => b.FindElement(By.Id("generate-status")).Text == "40 tokens");
        string generated = browser.FindElement(By.Id("generated")).Text;
        Assert.False(string.IsNullOrWhiteSpace(generated));
        Assert.Equal("the ca", browser.FindElement(By.Id("output-prime")).Text);
        Assert.True(browser.FindElement(By.Id("error")).GetAttribute("hidden") is not null, browser.FindElement(By.Id("error")).Text);

        // A classifier shows its class probabilities.
        browser.FindElement(By.CssSelector("#model option[value=sentiment]")).Click();
        input.Clear();
        input.SendKeys("the movie was great");
        wait.Until(b => b.FindElements(By.CssSelector("#classes li")).Count == 2);
    }

    private static ChromeDriver StartBrowser()
    {
        ChromeDriverService service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Chromium.Driver)!, Path.GetFileName(Chromium.Driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = Chromium.Browser };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }
}
