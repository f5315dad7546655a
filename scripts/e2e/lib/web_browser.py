#!/usr/bin/env python3
"""The browser half of scripts/e2e/web.sh: headless Chromium driven by Selenium through the
console as an administrator would use it. Prints one `ok`/`FAIL` line per check and exits 1
when any failed. Screenshots go to SHOTS/NN-name.png.

  web_browser.py BASE_URL USER PASSWORD SHOTS VIRUS_QUEUE_MARK
"""
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

base, user, password, shots = sys.argv[1:5]
failures = 0


def check(label, condition, detail=""):
    global failures
    if condition:
        print(f"  ok   {label}")
    else:
        failures += 1
        print(f"  FAIL {label}" + (f"\n       {detail}" if detail else ""))


options = webdriver.ChromeOptions()
for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
    options.add_argument(flag)
options.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(30)
shot = 0


def screenshot(name):
    global shot
    shot += 1
    driver.save_screenshot(f"{shots}/{shot:02d}-{name}.png")


def click(element_id):
    """Clicks a submit button and waits for the next page to replace this one."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, element_id).click()
    WebDriverWait(driver, 30).until(staleness_of(old))


def no_script_ran(page):
    """No dialog open, no element the messages tried to inject, no script element at all."""
    try:
        alert = driver.switch_to.alert
        check(f"{page}: no alert dialog", False, alert.text)
        alert.dismiss()
    except NoAlertPresentException:
        check(f"{page}: no alert dialog", True)
    injected = driver.execute_script(
        "return [document.querySelectorAll('script').length, document.querySelectorAll('img,svg,iframe,object,embed,style').length,"
        " document.querySelectorAll('#pwned').length, document.querySelectorAll('a[href^=\"javascript\"]').length]")
    check(f"{page}: no script, image, injected element or javascript: link in the page", injected == [0, 0, 0, 0], str(injected))


try:
    driver.get(base + "/")
    check("an anonymous visit lands on the sign-in page", driver.current_url.endswith("/login"), driver.current_url)
    screenshot("sign-in")
    driver.find_element(By.ID, "user").send_keys(user)
    driver.find_element(By.ID, "password").send_keys("wrong password")
    click("sign-in")
    check("a wrong password is refused", "Wrong user name or password" in driver.page_source)
    driver.find_element(By.ID, "user").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password)
    click("sign-in")
    check("signing in shows the list", driver.current_url.rstrip("/") == base and "found" in driver.page_source, driver.current_url)
    cookie = driver.get_cookie("sm_session") or {}
    check("the session cookie is HttpOnly and SameSite=Strict", cookie.get("httpOnly") is True and cookie.get("sameSite") == "Strict", str(cookie))
    rows = driver.find_elements(By.CSS_SELECTOR, "table.entries tbody tr")
    check("the list shows the held messages", len(rows) >= 2, str(len(rows)))
    check("the hostile subject is shown as text", "Invoice <script>alert('subject')</script>" in driver.find_element(By.TAG_NAME, "main").text)
    no_script_ran("list")
    screenshot("list")

    driver.find_element(By.ID, "q").send_keys("Salaries")
    click("search-button")
    rows = driver.find_elements(By.CSS_SELECTOR, "table.entries tbody tr")
    check("searching 'Salaries' finds exactly the banned message", len(rows) == 1 and "Salaries <svg onload=alert(7)>" in rows[0].text,
          " | ".join(r.text for r in rows))
    no_script_ran("search")
    screenshot("search")

    driver.find_element(By.ID, "q").clear()
    driver.find_element(By.ID, "q").send_keys("subject")
    click("search-button")
    driver.find_element(By.CSS_SELECTOR, "table.entries tbody tr a.open").click()
    WebDriverWait(driver, 30).until(lambda d: "/messages/" in d.current_url and d.find_elements(By.ID, "subject"))
    text = driver.find_element(By.TAG_NAME, "main").text
    check("the message page shows the subject as text", "Invoice <script>alert('subject')</script> <img src=x onerror=alert('img')>" in text)
    check("the RFC 2047 header is decoded and shown as text", "<img src=x onerror=alert(9)><div id=pwned>" in text)
    check("the attachment's file name is shown as text", "<img src=x onerror=alert('filename')>.com" in text)
    check("the HTML part is shown as its source text", "<script>alert('html script')</script>" in text)
    check("the MIME tree shows declared and detected types", "text/html" in text and "application/octet-stream" in text and "text/plain" in text)
    check("the virus is named", "Scanmilter.E2E.EICAR" in text)
    no_script_ran("message")
    driver.set_window_size(1400, 2600)  # the whole page: headers, MIME tree and text parts
    screenshot("message")
    driver.set_window_size(1400, 1000)
    entry_url = driver.current_url

    driver.find_element(By.ID, "release-force").click()
    click("release")
    check("releasing anyway without a reason is refused", "needs a reason" in driver.page_source)
    click("release")
    check("a release rescans first and keeps an infected message held",
          "Still held" in driver.page_source and "rescan finds it infected" in driver.find_element(By.ID, "status").text,
          driver.find_element(By.ID, "status").text)
    driver.find_element(By.ID, "release-reason").send_keys("e2e: a known test file <b>really</b>")
    driver.find_element(By.ID, "release-force").click()
    click("release")
    check("releasing anyway with a reason releases it", "Released" in driver.page_source and driver.find_element(By.ID, "status").text.startswith("released"),
          driver.find_element(By.ID, "status").text)
    check("the reason is in the entry's history", "e2e: a known test file <b>really</b>" in driver.find_element(By.TAG_NAME, "main").text)
    check("a released message offers no second release", not driver.find_elements(By.ID, "release"))
    screenshot("released")
    with open(f"{shots}/released-url", "w") as f:
        f.write(entry_url)

    driver.get(base + "/audit")
    text = driver.find_element(By.TAG_NAME, "main").text
    check("the audit log shows the sign-in, the failed one and the forced release", all(w in text for w in ("sign-in", "sign-in-failed", "release-forced")), text[:400])
    no_script_ran("audit")
    screenshot("audit")

    # Sign out (the banned message stays held for the digests).
    driver.find_element(By.CSS_SELECTOR, "header form button").click()
    for _ in range(50):
        if driver.current_url.endswith("/login"):
            break
        time.sleep(0.1)
    check("signing out returns to the sign-in page", driver.current_url.endswith("/login"), driver.current_url)
    driver.get(base + "/")
    check("after signing out the list needs a sign-in again", driver.current_url.endswith("/login"))
finally:
    driver.quit()

sys.exit(1 if failures else 0)
