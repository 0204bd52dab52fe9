"""The chat in a real browser: two headless Chromium pages on the app served
by `make example-chat` (both granian interfaces). A message typed in one page
appears in the other, the SSE counter moves, and a screenshot of the
conversation is saved to target/screenshots/ and checked to show something.
A failure prints each page's console messages and text."""

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from services.chromium import colour_summary, explained
from services.commands import ROOT, make_example
from services.postgres import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
SCREENSHOTS = ROOT / "target" / "screenshots"


def text_of(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def join(driver, url, name):
    driver.get(url)
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.CSS_SELECTOR, "form.join button").click()
    WebDriverWait(driver, 10).until(lambda d: text_of(d, "connection") == "connected")


def say(driver, text):
    driver.find_element(By.ID, "text").send_keys(text)
    driver.find_element(By.CSS_SELECTOR, "#say button").click()


def lines(driver):
    return [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#log li")]


@pytest.mark.parametrize("interface", ["asgi", "rsgi"])
def test_two_pages_talk(interface, browsers):
    command = make_example("chat", free_port(), interface, None)
    ada, bob = browsers.open(), browsers.open()
    try:
        command.wait_ready("/")
        with explained(ada=ada, bob=bob):
            wait_ada, wait_bob = WebDriverWait(ada, 10), WebDriverWait(bob, 10)
            join(ada, command.url, "ada")
            wait_ada.until(lambda d: text_of(d, "online") == "1")
            join(bob, command.url, "bob")
            wait_ada.until(lambda d: text_of(d, "online") == "2")  # the SSE counter moved on ada's page

            say(ada, "Hello Bob, this is Ada.")
            wait_bob.until(lambda d: lines(d) == ["ada Hello Bob, this is Ada."])
            wait_bob.until(lambda d: text_of(d, "messages") == "1")
            say(bob, "Hi Ada <script>alert(1)</script>")
            wait_ada.until(lambda d: lines(d)[-1:] == ["bob Hi Ada <script>alert(1)</script>"])  # shown as text
            wait_ada.until(lambda d: text_of(d, "messages") == "2")
            assert lines(bob) == lines(ada) and text_of(bob, "me") == "bob"
            errors = [e for e in ada.get_log("browser") + bob.get_log("browser") if e["level"] == "SEVERE"]
            assert errors == [], errors

            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / f"chat-{interface}.png"
            assert bob.save_screenshot(str(shot)), "Chromium saved no screenshot"
        colours, commonest = colour_summary(Path(shot))
        # A blank page is one colour; this one has a header bar, a message box and text.
        assert colours >= 32 and commonest < 0.9, f"{shot} looks blank: {colours} colours, commonest {commonest:.0%}"
    finally:
        browsers.close()  # first: their open socket and stream would hold the server up
        output = command.interrupt()
    assert not command.killed, output
