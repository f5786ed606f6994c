<?xml version="1.0" encoding="UTF-8"?>
<!-- Shows an RSS 2.0 or Atom feed of naerpoliti, opened in a browser, as a page: what a feed is,
     how to subscribe, and the entries. Feed readers ignore it. The texts are in the feed's own
     language (Danish, else English); the page takes the site's stylesheet from beside this file
     and runs no script. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="lang">
    <xsl:choose>
      <xsl:when test="/rss/channel/language"><xsl:value-of select="substring(/rss/channel/language, 1, 2)"/></xsl:when>
      <xsl:when test="/atom:feed/@xml:lang"><xsl:value-of select="substring(/atom:feed/@xml:lang, 1, 2)"/></xsl:when>
      <xsl:otherwise>en</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="da" select="$lang = 'da'"/>
  <!-- this file's address, from the feed's xml-stylesheet instruction: the site's stylesheet lies beside it -->
  <xsl:variable name="xsl-href" select="substring-before(substring-after(/processing-instruction('xml-stylesheet'), 'href=&quot;'), '&quot;')"/>
  <xsl:variable name="assets" select="substring-before($xsl-href, 'feed.xsl')"/>
  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="page" select="/rss/channel/link | /atom:feed/atom:link[@rel='alternate']/@href"/>
  <xsl:variable name="self" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>

  <xsl:template match="/">
    <html lang="{$lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>
          <xsl:value-of select="$title"/>
          <xsl:choose><xsl:when test="$da"> (nyhedsfeed)</xsl:when><xsl:otherwise> (news feed)</xsl:otherwise></xsl:choose>
        </title>
        <xsl:if test="$assets">
          <link rel="icon" type="image/png" href="{$assets}favicon.png"/>
          <link rel="stylesheet" href="{$assets}naerpoliti.css"/>
        </xsl:if>
      </head>
      <body>
        <main id="main-content" class="container page-container">
          <h1><xsl:value-of select="$title"/></h1>
          <xsl:choose>
            <xsl:when test="$da">
              <div class="alert alert-info feed-explanation">
                <div class="alert-body">
                  <h2 class="alert-heading">Dette er et nyhedsfeed</h2>
                  <p class="alert-text">Et nyhedsfeed (RSS eller Atom) er en adresse, du kan abonnere på i en feedlæser, fx Feedly, Inoreader eller nyhedsappen på din telefon. Nye nyheder og arrangementer kommer så af sig selv, uden at du skal besøge hjemmesiden.</p>
                  <p class="alert-text">Sådan abonnerer du: kopiér adressen herunder, og indsæt den i din feedlæser, hvor der står "Tilføj feed" eller "Abonnér".</p>
                  <p class="alert-text">Feedets adresse: <code><xsl:value-of select="$self"/></code></p>
                </div>
              </div>
              <p><a href="{$page}">Gå til siden på hjemmesiden</a></p>
              <h2>Seneste indhold</h2>
            </xsl:when>
            <xsl:otherwise>
              <div class="alert alert-info feed-explanation">
                <div class="alert-body">
                  <h2 class="alert-heading">This is a news feed</h2>
                  <p class="alert-text">A news feed (RSS or Atom) is an address you subscribe to in a feed reader, for example Feedly, Inoreader or the news app of your phone. New news and events then arrive by themselves, without visiting the website.</p>
                  <p class="alert-text">How to subscribe: copy the address below and paste it in your feed reader where it says "Add feed" or "Subscribe".</p>
                  <p class="alert-text">The feed's address: <code><xsl:value-of select="$self"/></code></p>
                </div>
              </div>
              <p><a href="{$page}">Go to the page on the website</a></p>
              <h2>Latest</h2>
            </xsl:otherwise>
          </xsl:choose>
          <xsl:choose>
            <xsl:when test="/rss/channel/item | /atom:feed/atom:entry">
              <ul class="item-list">
                <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
              </ul>
            </xsl:when>
            <xsl:otherwise>
              <p><xsl:choose><xsl:when test="$da">Der er intet i feedet endnu.</xsl:when><xsl:otherwise>There is nothing in the feed yet.</xsl:otherwise></xsl:choose></p>
            </xsl:otherwise>
          </xsl:choose>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <li>
      <h3 class="h4"><a href="{link}"><xsl:value-of select="title"/></a></h3>
      <!-- RFC 822 date: "Fri, 20 Nov 2026 00:00:00 +0100" -> "20 Nov 2026" -->
      <p class="meta"><xsl:value-of select="substring(pubDate, 6, 11)"/></p>
      <xsl:if test="description"><p><xsl:value-of select="description"/></p></xsl:if>
    </li>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li>
      <h3 class="h4"><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h3>
      <p class="meta"><time datetime="{substring(atom:published, 1, 10)}"><xsl:value-of select="substring(atom:published, 1, 10)"/></time></p>
      <xsl:if test="atom:summary"><p><xsl:value-of select="atom:summary"/></p></xsl:if>
    </li>
  </xsl:template>
</xsl:stylesheet>
