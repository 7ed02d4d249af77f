"""A local VIES: the checkVatService WSDL (the operation python-stdnum calls, as
the European Commission publishes it) and a SOAP 1.1 endpoint answering
checkVat from a table, or with VIES' own faults (MS_UNAVAILABLE) when down."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lxml import etree

TYPES = "urn:ec.europa.eu:taxud:vies:services:checkVat:types"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSDL = """<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:wsdlsoap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:impl="urn:ec.europa.eu:taxud:vies:services:checkVat"
    xmlns:tns1="urn:ec.europa.eu:taxud:vies:services:checkVat:types"
    targetNamespace="urn:ec.europa.eu:taxud:vies:services:checkVat">
  <wsdl:types>
    <xsd:schema attributeFormDefault="qualified" elementFormDefault="qualified"
        targetNamespace="urn:ec.europa.eu:taxud:vies:services:checkVat:types">
      <xsd:element name="checkVat"><xsd:complexType><xsd:sequence>
        <xsd:element maxOccurs="1" minOccurs="1" name="countryCode" type="xsd:string"/>
        <xsd:element maxOccurs="1" minOccurs="1" name="vatNumber" type="xsd:string"/>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="checkVatResponse"><xsd:complexType><xsd:sequence>
        <xsd:element maxOccurs="1" minOccurs="1" name="countryCode" type="xsd:string"/>
        <xsd:element maxOccurs="1" minOccurs="1" name="vatNumber" type="xsd:string"/>
        <xsd:element maxOccurs="1" minOccurs="1" name="requestDate" type="xsd:date"/>
        <xsd:element maxOccurs="1" minOccurs="1" name="valid" type="xsd:boolean"/>
        <xsd:element maxOccurs="1" minOccurs="0" name="name" nillable="true" type="xsd:string"/>
        <xsd:element maxOccurs="1" minOccurs="0" name="address" nillable="true" type="xsd:string"/>
      </xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="checkVatRequest"><wsdl:part element="tns1:checkVat" name="parameters"/></wsdl:message>
  <wsdl:message name="checkVatResponse"><wsdl:part element="tns1:checkVatResponse" name="parameters"/></wsdl:message>
  <wsdl:portType name="checkVatPortType">
    <wsdl:operation name="checkVat">
      <wsdl:input message="impl:checkVatRequest" name="checkVatRequest"/>
      <wsdl:output message="impl:checkVatResponse" name="checkVatResponse"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="checkVatBinding" type="impl:checkVatPortType">
    <wsdlsoap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="checkVat">
      <wsdlsoap:operation soapAction=""/>
      <wsdl:input name="checkVatRequest"><wsdlsoap:body use="literal"/></wsdl:input>
      <wsdl:output name="checkVatResponse"><wsdlsoap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="checkVatService">
    <wsdl:port binding="impl:checkVatBinding" name="checkVatPort">
      <wsdlsoap:address location="{endpoint}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"""


class Vies:
    """``valid``: the compact ids VIES knows; ``down``: answer every request with MS_UNAVAILABLE."""

    def __init__(self):
        self.valid: set[str] = set()
        self.down = False
        self.requests: list[str] = []
        vies = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.reply(200, "text/xml", WSDL.format(endpoint=vies.endpoint))

            def do_POST(self):
                body = etree.fromstring(self.rfile.read(int(self.headers["Content-Length"])))
                country = body.findtext(f".//{{{TYPES}}}countryCode")
                number = body.findtext(f".//{{{TYPES}}}vatNumber")
                vies.requests.append(country + number)
                if vies.down:
                    fault = (f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body><soap:Fault>'
                             "<faultcode>soap:Server</faultcode><faultstring>MS_UNAVAILABLE</faultstring>"
                             "</soap:Fault></soap:Body></soap:Envelope>")
                    return self.reply(500, "text/xml; charset=utf-8", fault)
                valid = "true" if country + number in vies.valid else "false"
                self.reply(200, "text/xml; charset=utf-8", (
                    f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body><checkVatResponse xmlns="{TYPES}">'
                    f"<countryCode>{country}</countryCode><vatNumber>{number}</vatNumber>"
                    f"<requestDate>{dt.date.today().isoformat()}+01:00</requestDate><valid>{valid}</valid>"
                    "<name>---</name><address>---</address></checkVatResponse></soap:Body></soap:Envelope>"))

            def reply(self, status, mime, text):
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", mime)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        base = f"http://127.0.0.1:{self.server.server_port}"
        self.wsdl = f"{base}/checkVatService.wsdl"
        self.endpoint = f"{base}/taxation_customs/vies/services/checkVatService"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
