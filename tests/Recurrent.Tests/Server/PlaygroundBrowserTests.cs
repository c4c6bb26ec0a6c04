using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Server;

/// <summary>
/// The playground in headless Chromium against a real (Kestrel) server: the page lists the models, shows the next-word
/// bars as one types, streams generated text in after a click, and shows class probabilities, tags coloured per token
/// with their chunks, and nearest words.
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

        Assert.Equal(["words (word)", "chars (char)", "sentiment (classifier)", "chunker (tagger)", "pos (tagger)", "vectors (vectors)"],
            browser.FindElements(By.CssSelector("#model option")).Select(o => o.Text));
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

        // A tagger colours each token by its tag (chunk tags by their chunk type) and lists the chunks.
        browser.FindElement(By.CssSelector("#model option[value=chunker]")).Click();
        Assert.True(browser.FindElement(By.CssSelector("[data-action=tag]")).Displayed);
        Assert.False(browser.FindElement(By.CssSelector("[data-action=next]")).Displayed);
        input.Clear();
        input.SendKeys("the cat sat on the mat");
        wait.Until(b => b.FindElements(By.CssSelector("#tags .token")).Count == 6);
        IWebElement[] tokens = [.. browser.FindElements(By.CssSelector("#tags .token"))];
        Assert.Equal(["B-NP", "I-NP", "B-VP", "B-PP", "B-NP", "I-NP"], tokens.Select(t => t.GetAttribute("data-tag")));
        string[] colours = [.. tokens.Select(t => t.GetCssValue("background-color"))];
        Assert.Equal(colours[0], colours[1]);       // one chunk type, one colour
        Assert.NotEqual(colours[1], colours[2]);    // NP and VP differ
        Assert.Equal(colours[0], colours[4]);
        Assert.Contains("[NP the cat] [VP sat] [PP on] [NP the mat]", browser.FindElement(By.Id("chunks")).Text);

        // Word vectors show the words nearest the last word typed, and answer an analogy.
        browser.FindElement(By.CssSelector("#model option[value=vectors]")).Click();
        input.Clear();
        input.SendKeys("fruit apple");
        wait.Until(b => b.FindElements(By.CssSelector("#nearest li")).Count == 10);
        Assert.Equal("orange", browser.FindElement(By.CssSelector("#nearest li .label")).Text);
        browser.FindElement(By.CssSelector("#analogy-form button")).Click(); // the placeholders: man is to king as woman is to …
        wait.Until(b => b.FindElements(By.CssSelector("#analogy li")).Count == 10);
        Assert.Equal("queen", browser.FindElement(By.CssSelector("#analogy li .label")).Text);
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
